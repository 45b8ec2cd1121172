// Bundles src/editor.js into ../src/stillpoint/studio/static/editor.js (one minified IIFE defining window.StillpointEditor)
// and writes the licences of every bundled package beside it. Run: npm ci && node build.mjs
import { build } from "esbuild";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "stillpoint", "studio", "static", "editor.js");

/** The package folder (node_modules/name or node_modules/@scope/name) a bundled input comes from. */
function packageOf(input) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m ? m[1] : null;
}

/** The licence text of one installed package, headed by its name and version. */
function licenceOf(name) {
  const folder = join(here, "node_modules", name);
  const { version, license } = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  const text = file ? readFileSync(join(folder, file), "utf8").trim() : `License: ${license}`;
  return `${name}@${version}\n\n${text}\n`;
}

const result = await build({
  entryPoints: [join(here, "src", "editor.js")],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "StillpointEditor",
  target: ["es2020"],
  legalComments: "none",
  banner: { js: "/* Stillpoint script editor, built from frontend/ with CodeMirror 6; licences in editor.js.LICENSE.txt */" },
  metafile: true,
  outfile: out,
});

const packages = [...new Set(Object.keys(result.metafile.inputs).map(packageOf).filter(Boolean))].sort();
writeFileSync(`${out}.LICENSE.txt`, packages.map(licenceOf).join("\n" + "-".repeat(72) + "\n\n"));
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes;
console.log(`${out}: ${bytes} bytes from ${packages.length} packages (${packages.join(", ")})`);
