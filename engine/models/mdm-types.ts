// Generated from schemas/mdm/*.json by `unimap docs` (npm run docs). Do not edit.

/**
 * App
 *
 * An application known to the MDM: an app installed on a device, or an app in the MDM's catalogue of managed apps. The first eleven fields (id to is_system_app) follow Truto's published apps schema; the remaining fields (short_version, install_path, size_bytes, device, installed_at, created_at, updated_at, remote_data) are Unimap's choice, because Truto's published schema lists 19 fields but only the first eleven are public.
 */
export interface App {
  /** The app's unique identifier */
  id: string;
  /** The app's identifier in the source it was installed or distributed from, such as an app store or the MDM's app catalogue */
  source_id?: string;
  /** The app's name */
  name?: string;
  /** The version of the app */
  version?: string;
  /** The publisher or vendor of the app */
  publisher?: string;
  /** The app's platform identifier, such as a bundle ID, package name or product code (see app_id_type) */
  app_id?: string;
  /** The kind of identifier held in app_id */
  app_id_type?: 'bundle_id' | 'package_name' | 'product_code' | 'app_id' | 'unknown';
  /** The platform the app runs on */
  platform?: 'windows' | 'macos' | 'linux' | 'ios' | 'ipados' | 'android' | 'chromeos' | 'unknown';
  /** The installation state of the app on the device */
  install_state?: 'installed' | 'pending' | 'failed' | 'unknown';
  /** Whether the app is installed and managed by the MDM */
  is_managed?: boolean;
  /** Whether the app is a system app or component that ships with the operating system */
  is_system_app?: boolean;
  /** The user-facing (marketing) version of the app, when the platform reports it separately from the build version */
  short_version?: string;
  /** The location the app is installed at on the device */
  install_path?: string;
  /** The size of the app on disk, in bytes */
  size_bytes?: number;
  /** The device the app is installed on */
  device?: {
    /** The unique identifier for a device */
    id?: string;
    /** The name of the device */
    name?: string;
  };
  /** The date and time the app was installed on the device */
  installed_at?: string;
  /** The date and time the app was created */
  created_at?: string;
  /** The date and time the app was last updated */
  updated_at?: string;
  /** Raw data returned from the remote API call. */
  remote_data?: { [key: string]: unknown };
}

/** Create app body */
export interface AppCreate {
  /** The app's name */
  name?: string;
  /** The version of the app */
  version?: string;
  /** The app's platform identifier, such as a bundle ID, package name or product code (see app_id_type) */
  app_id?: string;
  /** The kind of identifier held in app_id */
  app_id_type?: 'bundle_id' | 'package_name' | 'product_code' | 'app_id' | 'unknown';
  /** The platform the app runs on */
  platform?: 'windows' | 'macos' | 'linux' | 'ios' | 'ipados' | 'android' | 'chromeos' | 'unknown';
  /** Whether the app is a system app or component that ships with the operating system */
  is_system_app?: boolean;
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** Update app body */
export interface AppUpdate {
  /** The app's name */
  name?: string;
  /** The version of the app */
  version?: string;
  /** The app's platform identifier, such as a bundle ID, package name or product code (see app_id_type) */
  app_id?: string;
  /** The kind of identifier held in app_id */
  app_id_type?: 'bundle_id' | 'package_name' | 'product_code' | 'app_id' | 'unknown';
  /** The platform the app runs on */
  platform?: 'windows' | 'macos' | 'linux' | 'ios' | 'ipados' | 'android' | 'chromeos' | 'unknown';
  /** Whether the app is a system app or component that ships with the operating system */
  is_system_app?: boolean;
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** List apps query */
export interface AppListQuery {
  /** Return only apps installed on the device with this id */
  device_id?: string;
  /** Return only apps for this platform */
  platform?: 'windows' | 'macos' | 'linux' | 'ios' | 'ipados' | 'android' | 'chromeos' | 'unknown';
}

/**
 * Device
 *
 * A device managed by or enrolled in the MDM: a computer, phone, tablet, server or virtual machine.
 */
export interface Device {
  /** The device's unique identifier */
  id: string;
  /** The device's name */
  name?: string;
  /** The device's hostname */
  hostname?: string;
  /** The device's fully qualified DNS name */
  dns_name?: string;
  /** The device's NetBIOS name */
  netbios_name?: string;
  /** The type of device */
  type?: 'workstation' | 'server' | 'mobile' | 'tablet' | 'laptop' | 'desktop' | 'virtual_machine' | 'other';
  /** Whether the device is owned by the organization (corporate-owned) rather than personally owned */
  is_corporate_owned?: boolean;
  /** The platform (operating system family) of the device */
  platform?: 'windows' | 'macos' | 'linux' | 'ios' | 'ipados' | 'android' | 'chromeos' | 'unknown';
  /** The device's model */
  model?: string;
  /** The device's manufacturer */
  manufacturer?: string;
  /** The device's serial number */
  serial_number?: string;
  /** The asset tag assigned to the device */
  asset_tag?: string;
  /** The name of the device's operating system */
  os_name?: string;
  /** The version of the device's operating system */
  os_version?: string;
  /** The build number of the device's operating system */
  os_build?: string;
  /** Additional operating system version information, such as a release ID, supplemental update or service pack */
  os_version_extra?: string;
  /** Whether the device's disk is encrypted */
  disk_encryption?: boolean;
  /** Whether the MDM's agent is installed on the device */
  is_agent_installed?: boolean;
  /** The version of the MDM's agent installed on the device */
  agent_version?: string;
  /** Whether the device has been approved to be managed by the MDM */
  approval_state?: 'approved' | 'pending' | 'rejected' | 'unknown';
  /** The device's enrollment state in the MDM */
  enrollment_state?: 'enrolled' | 'pending' | 'removed' | 'missing' | 'unknown';
  /** Whether the device's firewall is enabled */
  is_firewall_enabled?: boolean;
  /** The date and time the device was first enrolled in the MDM */
  first_enrolled_at?: string;
  /** The date and time the device was last enrolled in the MDM */
  last_enrolled_at?: string;
  /** The date and time the device last checked in with the MDM */
  last_seen_at?: string;
  /** The device's private IP addresses */
  private_ip_addresses?: string[];
  /** The MAC addresses of the device's network interfaces */
  mac_addresses?: string[];
  /** Whether the device is currently offline */
  is_offline?: boolean;
  /** The tags on the device */
  tags?: Array<{
    /** The unique identifier for a tag */
    id?: string;
    /** The name of the tag */
    name?: string;
  }>;
  /** The user the device is assigned to */
  owner?: {
    /** The unique identifier for a user */
    id?: string;
    /** The name of the user */
    name?: string;
    /** The emails of the user */
    emails?: DeviceEmail[];
  };
  /** The applied policy / blueprint */
  policy?: {
    /** The unique identifier for a policy */
    id?: string;
    /** The name of the policy */
    name?: string;
  };
  /** The organization/account the device belongs to */
  organization?: {
    /** The unique identifier for an organization */
    id?: string;
    /** The name of the organization */
    name?: string;
  };
  /** Values of custom fields on the device, keyed by the custom field name or identifier */
  custom_fields?: { [key: string]: unknown };
  /** The date and time the device was created */
  created_at?: string;
  /** The date and time the device was last updated */
  updated_at?: string;
  /** Raw data returned from the remote API call. */
  remote_data?: { [key: string]: unknown };
}

export interface DeviceEmail {
  /** The email address */
  email: string;
  /** Whether the email address is primary */
  is_primary?: boolean;
  /** The type of email address */
  type?: string;
}

/** Create device body */
export interface DeviceCreate {
  /** The device's name */
  name?: string;
  /** The asset tag assigned to the device */
  asset_tag?: string;
  /** The user the device is assigned to */
  owner?: {
    /** The unique identifier for a user */
    id: string;
  };
  /** The organization/account the device belongs to */
  organization?: {
    /** The unique identifier for an organization */
    id: string;
  };
  /** The tags on the device */
  tags?: DeviceTagInput[];
  /** Values of custom fields on the device, keyed by the custom field name or identifier */
  custom_fields?: { [key: string]: unknown };
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** Update device body */
export interface DeviceUpdate {
  /** The device's name */
  name?: string;
  /** The asset tag assigned to the device */
  asset_tag?: string;
  /** Whether the device is owned by the organization (corporate-owned) rather than personally owned */
  is_corporate_owned?: boolean;
  /** The user the device is assigned to */
  owner?: {
    /** The unique identifier for a user */
    id: string;
  };
  /** The organization/account the device belongs to */
  organization?: {
    /** The unique identifier for an organization */
    id: string;
  };
  /** The tags on the device */
  tags?: DeviceTagInput[];
  /** Values of custom fields on the device, keyed by the custom field name or identifier */
  custom_fields?: { [key: string]: unknown };
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** List devices query */
export interface DeviceListQuery {
  /** Return only devices of this type. Some integrations require it: Jamf, for example, needs mobile or desktop to choose between mobile devices and computers */
  type?: 'workstation' | 'server' | 'mobile' | 'tablet' | 'laptop' | 'desktop' | 'virtual_machine' | 'other';
  /** Return only devices with this name */
  name?: string;
  /** Return only devices of this model */
  model?: string;
  /** Return only devices running this operating system version */
  os_version?: string;
  /** Return only devices on this platform */
  platform?: 'windows' | 'macos' | 'linux' | 'ios' | 'ipados' | 'android' | 'chromeos' | 'unknown';
  /** Return only devices with this serial number */
  serial_number?: string;
  /** Return only devices assigned to the user with this id */
  owner?: string;
  /** Return only devices with the policy / blueprint with this id applied */
  policy?: string;
  /** Return only devices belonging to the organization with this id */
  organization?: string;
}

/** A tag, identified by its id or its name */
export interface DeviceTagInput {
  /** The unique identifier for a tag */
  id?: string;
  /** The name of the tag */
  name?: string;
}

/**
 * Organization
 *
 * An organization (account, client or tenant) in the MDM that devices and users belong to.
 */
export interface Organization {
  /** The organization's unique identifier */
  id: string;
  /** The organization's name */
  name?: string;
  /** The date and time the organization was created */
  created_at?: string;
  /** The date and time the organization was last updated */
  updated_at?: string;
  /** Raw data returned from the remote API call. */
  remote_data?: { [key: string]: unknown };
}

/** Create organization body */
export interface OrganizationCreate {
  /** The organization's name */
  name?: string;
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** Update organization body */
export interface OrganizationUpdate {
  /** The organization's name */
  name?: string;
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** List organizations query */
export type OrganizationListQuery = Record<string, never>;

/**
 * User
 *
 * A person known to the MDM: the user a device is assigned to, or a directory user.
 */
export interface User {
  /** The user's unique identifier */
  id: string;
  /** The user's name */
  name: string;
  /** The user's first name */
  first_name?: string;
  /** The user's last name */
  last_name?: string;
  /** The emails of the user */
  emails?: UserEmail[];
  /** The URL of the user's avatar */
  avatar?: string;
  /** Whether the user is active or not */
  is_active?: boolean;
  /** The organization/account the user belongs to */
  organization?: {
    /** The unique identifier for an organization */
    id?: string;
    /** The name of the organization */
    name?: string;
  };
  /** The date and time the user was created */
  created_at?: string;
  /** The date and time the user was last updated */
  updated_at?: string;
  /** Raw data returned from the remote API call. */
  remote_data?: { [key: string]: unknown };
}

export interface UserEmail {
  /** The email address */
  email: string;
  /** Whether the email address is primary */
  is_primary?: boolean;
  /** The type of email address */
  type?: string;
}

/** Create user body */
export interface UserCreate {
  /** The user's name */
  name?: string;
  /** The emails of the user */
  emails?: UserEmailInput[];
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** Update user body */
export interface UserUpdate {
  /** The user's name */
  name?: string;
  /** The emails of the user */
  emails?: UserEmailInput[];
  /** Any additional data that should be passed as part of the request body. This data is not transformed and is passed as is to the remote API. */
  remote_data?: { [key: string]: unknown };
}

/** List users query */
export interface UserListQuery {
  /** Return only users with this email address */
  email?: string;
}

export interface UserEmailInput {
  /** The email address */
  email: string;
  /** Whether the email address is primary */
  is_primary?: boolean;
  /** The type of email address */
  type?: string;
}
