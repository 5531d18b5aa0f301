import * as http from "node:http";

// HTTP requests whose path goes out byte for byte (fetch's URL parser would resolve `/./metrics`
// and `/x/../metrics` before sending), each on its own connection.

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(port: number, method: string, path: string, opts: { host?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: opts.host ?? "127.0.0.1", port, method, path, headers: opts.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A JSON request; the body parsed when it is JSON. */
export async function rawJson(port: number, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<RawResponse & { json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers = { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(opts.headers ?? {}) };
  const res = await rawRequest(port, method, path, { headers, body });
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { ...res, json };
}
