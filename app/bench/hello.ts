import { serve } from "@hono/node-server";
import { Hono } from "hono";

// The baseline: a bare Hono hello-world on @hono/node-server, same machine, same runtime.
const app = new Hono();
app.get("/", (c) => c.text("Hello World!"));
const port = Number(process.env.PORT ?? 3001);
serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => process.stdout.write(`listening ${port}\n`));
process.once("SIGTERM", () => process.exit(0));
