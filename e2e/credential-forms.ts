// Every form a registry credential could take once written into an object or a log: the password,
// the basic-auth pair, and base64 of either (as in a dockerconfigjson `auth` or a Secret's data).
export function credentialForms(credentials: { username: string; password: string }): string[] {
  return [credentials.password, `${credentials.username}:${credentials.password}`].flatMap((text) => [text, Buffer.from(text).toString('base64')]);
}
