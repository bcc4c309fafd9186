// The shipped CLI, dist/bin/tpctl.js: the modules tsc wrote to dist/, bundled into a few files.
// Node's ES module loader spent about 90 ms of every command resolving, reading and linking some
// 125 modules one by one; bundled, `validate` of examples/ starts in 0.16 s instead of 0.20 s.
// Every import() stays a chunk of its own, loaded only when reached, as before: offline commands
// still never load the HTTP client or the server. Packages stay outside the bundle (node_modules
// is installed beside it), and the folder keeps dist/cli's depth, so the paths the code finds
// from import.meta.url (package.json, schemas/, dist/manifest/validators.js) resolve the same.
export default {
  input: { tpctl: "dist/cli/main.js" },
  platform: "node",
  external: [/^[^./]/],
  output: {
    dir: "dist/bin",
    format: "esm",
    cleanDir: true,
    entryFileNames: "[name].js",
    chunkFileNames: "[name].js",
  },
};
