// Builds the widgets' front-end into ../static/ (those files are committed, so users need no npm).
//   cd widgets/js && npm ci && npm run build
// Each entry becomes one self-contained ES module (anywidget's `_esm`); tree.js embeds
// Graphviz compiled to WebAssembly (@viz-js/viz), so nothing is fetched at run time.
import * as esbuild from "esbuild";

const all = ["tree", "table", "sequence", "cluster"];
// `node build.mjs cluster` rebuilds only the entries named (so one widget's build leaves the others alone)
const entries = process.argv.length > 2 ? process.argv.slice(2).filter((e) => all.includes(e)) : all;
for (const name of entries) {
  await esbuild.build({
    entryPoints: [`src/${name}.js`],
    outfile: `../static/${name}.js`,
    bundle: true,
    format: "esm",
    minify: true,
    target: ["es2020"],
    loader: { ".css": "text" },
    legalComments: "eof",
    banner: { js: `// beamlab widget front-end (${name}); built from widgets/js/src by widgets/js/build.mjs — do not edit.` },
    logLevel: "info",
  });
}
