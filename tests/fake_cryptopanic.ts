/** A fake CryptoPanic posts API on loopback, for the client, stream and task tests. */

export const TOKEN = "s3cret-token-123";

export function post(
  id: number,
  minute: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    kind: "news",
    domain: "example.com",
    source: { title: "Example", region: "en", domain: "example.com", path: null, type: "feed" },
    title: `Headline ${id} about Bitcoin`,
    published_at: new Date(Date.UTC(2025, 1, 26, 10, minute)).toISOString(),
    id,
    url: `https://cryptopanic.com/news/${id}/x`,
    created_at: new Date(Date.UTC(2025, 1, 26, 10, minute)).toISOString(),
    votes: {
      negative: 0,
      positive: 1,
      important: 0,
      liked: 0,
      disliked: 0,
      lol: 0,
      toxic: 0,
      saved: 0,
      comments: 0,
    },
    ...extra,
  };
}

/** A fake posts API: pages of posts newest first, then a scripted status per request. */
export interface FakeCryptoPanic {
  server: Deno.HttpServer<Deno.NetAddr>;
  /** Every request, in order. */
  requests: URL[];
  /** The API base, up to the version. */
  base: string;
}

export function fakeCryptoPanic(
  pages: () => unknown[][],
  script: (n: number) => Response | null = () => null,
): FakeCryptoPanic {
  const requests: URL[] = [];
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req): Response => {
      const url = new URL(req.url);
      requests.push(url);
      const scripted = script(requests.length);
      if (scripted) return scripted;
      if (url.searchParams.get("auth_token") !== TOKEN) return new Response("unauthorized", { status: 401 });
      const all = pages();
      const page = Number(url.searchParams.get("page") ?? "1");
      const next = page < all.length
        ? `http://127.0.0.1:${server.addr.port}/api/developer/v2/posts/?auth_token=${TOKEN}&public=true&page=${
          page + 1
        }`
        : null;
      return Response.json({ count: 99, next, previous: null, results: all[page - 1] ?? [] });
    },
  );
  return { server, requests, base: `http://127.0.0.1:${server.addr.port}/api/developer/v2` };
}
