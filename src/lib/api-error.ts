// What to tell the user when an API call fails: the server's own words (every endpoint answers
// {"error": {"message": …}}), or, if the body is not that, a fallback naming the HTTP status.
export async function errorMessage(res: Response, fallback = 'That did not work'): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `${fallback} (HTTP ${res.status}).`;
}
