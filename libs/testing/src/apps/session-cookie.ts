/**
 * The console session cookie a response set (`POST /v1/sessions`), as `name=value` for the next request's Cookie
 * header; throws naming the cookies there were when it is missing.
 */
export function sessionCookie(res: { headers: Record<string, string | string[] | undefined> }): string {
  const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = raw.find((s) => s.startsWith('bf_session='));
  if (!c) throw new Error(`no session cookie in ${JSON.stringify(raw)}`);
  return c.split(';')[0];
}
