import users from '../../schemas/mdm/users.json' with { type: 'json' };
import devices from '../../schemas/mdm/devices.json' with { type: 'json' };
import apps from '../../schemas/mdm/apps.json' with { type: 'json' };
import organizations from '../../schemas/mdm/organizations.json' with { type: 'json' };

/** The unified models that ship with Unimap (imported, not read from disk, so the core stays portable). */
export const bundledModelSchemas: readonly object[] = [users, devices, apps, organizations];
