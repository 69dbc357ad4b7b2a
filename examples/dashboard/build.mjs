// Builds the dashboard into dashboard/dist: one bundled script (ECharts and the GraphQL printer
// included, nothing loaded from a CDN), the page and its stylesheet.
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist");
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "linked",
  outfile: join(out, "dashboard.js"),
  logLevel: "warning",
});
await Promise.all(["index.html", "dashboard.css"].map((f) => copyFile(join(here, f), join(out, f))));
console.log(`dashboard built in ${out}`);
