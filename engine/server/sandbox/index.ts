import type { Account } from '../../transport/types.js';
import type { Emulator } from './emulator.js';
import { createFleetEmulator } from './fleet.js';
import { createGoogleWorkspaceEmulator } from './google_workspace.js';
import { createJamfEmulator } from './jamf.js';
import { createJumpCloudEmulator } from './jumpcloud.js';
import { createKandjiEmulator } from './kandji.js';
import { createMicrosoftIntuneEmulator } from './microsoft_intune.js';
import { createNinjaOneEmulator } from './ninjaone.js';

/** A fresh emulator for every bundled vendor (fresh data each time). */
export function createEmulators(): Emulator[] {
  return [
    createJamfEmulator(),
    createKandjiEmulator(),
    createNinjaOneEmulator(),
    createMicrosoftIntuneEmulator(),
    createGoogleWorkspaceEmulator(),
    createJumpCloudEmulator(),
    createFleetEmulator(),
  ];
}

/** The demo accounts: `sandbox-<integration>`, with each emulator's demo context. */
export function sandboxAccounts(emulators: readonly Emulator[]): Account[] {
  return emulators.map((emulator) => ({ id: `sandbox-${emulator.integration}`, integration: emulator.integration, context: emulator.context }));
}
