/** A plain POST to the adapter (what an attacker or a misconfigured proxy sends), with a bounded wait. */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
