// Settings that no longer exist: an admin's old .env may still set them. They are ignored, with a
// warning saying what replaced them, instead of failing the start or being silently dropped.
export const RETIRED_VARIABLES: Readonly<Record<string, string>> = {
  IMAGESPEC_PUSH_SECRET_NAME:
    'the controller pushes every image itself and keeps no push Secret in tenant namespaces any more; delete the variable, the old imagespec-push Secrets, and rotate the registry password (README, Security model)',
};

/** One sentence per retired setting the source sets. */
export function retiredSettings(source: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(RETIRED_VARIABLES)
    .filter(([name]) => source[name] !== undefined && source[name] !== '')
    .map(([name, why]) => `${name} is no longer used and was ignored: ${why}`);
}
