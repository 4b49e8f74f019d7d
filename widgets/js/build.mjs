// Builds the widgets' front-end into ../static/ (those files are committed, so users need no npm).
//   cd widgets/js && npm ci && npm run build
// Each entry becomes one self-contained ES module (anywidget's `_esm`); tree.js embeds
// Graphviz compiled to WebAssembly (@viz-js/viz), so nothing is fetched at run time.
// player.js (the exported recording's player) is a plain script (an IIFE) that
// widgets/export.py inlines into its page; it shares recording.js with the widgets' timeline.
import * as esbuild from "esbuild";

const entries = [["tree", "esm"], ["table", "esm"], ["sequence", "esm"], ["player", "iife"], ["cluster", "esm"],
                 ["keeper", "esm"]];
// `node build.mjs cluster` rebuilds only the entries named, leaving the others as they are
const only = process.argv.slice(2);
for (const [name, format] of entries) {
  if (only.length && !only.includes(name)) continue;
  await esbuild.build({
    entryPoints: [`src/${name}.js`],
    outfile: `../static/${name}.js`,
    bundle: true,
    format,
    minify: format === "esm",
    target: ["es2020"],
    loader: { ".css": "text" },
    legalComments: "eof",
    banner: { js: `// beamlab ${format === "iife" ? "recording player" : "widget front-end"} (${name}); built from widgets/js/src by widgets/js/build.mjs — do not edit.` },
    logLevel: "info",
  });
}
