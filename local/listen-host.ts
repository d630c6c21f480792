/**
 * Where the emulators listen: loopback only, so nobody on the network can read leads or queue messages that
 * skipped webhook authentication. `LEADPIPE_EMULATOR_HOST=0.0.0.0` widens it, on purpose.
 */
export function emulatorHost(): string {
  return process.env.LEADPIPE_EMULATOR_HOST ?? '127.0.0.1';
}
