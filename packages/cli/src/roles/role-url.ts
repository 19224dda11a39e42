// The URL a role names for itself (lens up's banner, `lens:ready`): its configured host, or localhost when it
// listens on every interface (0.0.0.0, ::). A role bound to one address (127.0.0.1, 10.0.0.5, ::1) is reachable
// there only: naming localhost sent an operator to an address nothing answered on.

/** `http://HOST:PORT` for a role listening on `host`, IPv6 addresses in brackets. */
export function roleUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}
