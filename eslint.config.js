// @ts-check
// ESLint flat config. Needs (not installed yet; see CHANGELOG / the lint script): eslint,
// @eslint/js, typescript-eslint, eslint-config-prettier. Run with `npm run lint`.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/** The pure core (house style §1): no network, disk, clock or process, and no edge module. */
const PURE = [
  "src/model/**/*.ts",
  "src/kinds/**/*.ts",
  "src/sql/**/*.ts",
  "src/plan/**/*.ts",
  "src/render/**/*.ts",
  "src/manifest/{parse,simple-yaml,validate,resolve,project,assemble,issues,schemas,secret-fields}.ts",
  "src/export/**/*.ts",
  "src/drivers/rest/{normalize,endpoints,calls}.ts",
];
const TESTS = ["**/*.test.ts", "**/test-utils.ts", "test/**/*.ts", "bench/**/*.ts"];

const noDefaultExport = [
  {
    selector: "ExportDefaultDeclaration",
    message: "Use a named export: one name per thing, the same at every import (house style).",
  },
  {
    selector: "ExportNamedDeclaration > ExportSpecifier[exported.name='default']",
    message: "Use a named export: one name per thing, the same at every import (house style).",
  },
];

/** Edges the pure core must not load; their types are fine (they are erased). */
const EDGE_MODULES = [
  { regex: "^node:", allowTypeImports: true, message: "The pure core does no I/O: take the data as an argument (house style §1)." },
  {
    regex: "^(fs|path|http|https|net|os|child_process|url|util|events|stream|readline)(/|$)",
    allowTypeImports: true,
    message: "Use the node: prefix, and only outside the pure core.",
  },
  { regex: "^(undici|p-limit)$", message: "Network and scheduling belong to drivers/ and apply/apply.ts, not the pure core." },
  { regex: "(^|/)(cli|server)/", message: "The pure core never imports the CLI or the server." },
  {
    regex: "(^|/)drivers/(http|rest/read-workspace)(\\.js)?$",
    allowTypeImports: true,
    message: "Only the types of the HTTP client, never its code, in the pure core.",
  },
  { regex: "(^|/)manifest/load(\\.js)?$", message: "manifest/load.ts reads files: an edge." },
  { regex: "(^|/)apply/apply(\\.js)?$", message: "apply/apply.ts runs requests: an edge." },
];

export default defineConfig(
  { ignores: ["dist/", "node_modules/", "coverage/", ".tpctl/", ".bench-build/", "examples/", "test/fixtures/"] },
  {
    // A disable comment that no longer disables anything is a lie about the code.
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // eslint.config.js is outside tsconfig.json, so it gets a default project.
      parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // verbatimModuleSyntax already requires `type` on type-only imports; this keeps the two
      // styles in use (`import type {…}` and inline `type X`) and lets --fix add the keyword.
      "@typescript-eslint/consistent-type-imports": ["error", { prefer: "type-imports", fixStyle: "inline-type-imports" }],
      "no-restricted-syntax": ["error", ...noDefaultExport],
      // `_name` marks a binding that is there to be left out (`const { env: _env, ...rest }`).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Messages interpolate counts and flags all the time; objects and unknowns stay refused.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // Commands and injected I/O implement Promise-returning interfaces; some have nothing to
      // await, and wrapping their result by hand would be noise.
      "@typescript-eslint/require-await": "off",
      // Values here come from JSON (manifests, API answers): `String(value)` in an error message is
      // deliberate, and "[object Object]" there is a fair description of a value of the wrong type.
      "@typescript-eslint/no-base-to-string": "off",
      // The masking, terminal and SQL-lexing code matches control characters on purpose.
      "no-control-regex": "off",
    },
  },
  {
    files: PURE,
    ignores: TESTS,
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: EDGE_MODULES }],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "The pure core takes the environment as an argument." },
        { name: "console", message: "The pure core returns text; the CLI prints it." },
        { name: "fetch", message: "The network belongs to drivers/http.ts." },
        { name: "setTimeout", message: "Time belongs to the edges; pass a sleep in." },
        { name: "setInterval", message: "Time belongs to the edges." },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Pass the time in (house style §2.2)." },
        { object: "Math", property: "random", message: "Pass randomness in (house style §2.2)." },
        { object: "performance", property: "now", message: "Pass the time in." },
      ],
      "no-restricted-syntax": [
        "error",
        ...noDefaultExport,
        { selector: "ImportExpression", message: "No dynamic import() in the pure core: it loads code, and I/O with it." },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Pass the time in (house style §2.2)." },
      ],
    },
  },
  {
    // The one module of the pure core that loads code on demand: render/ needs yaml, diff and
    // fast-json-patch only for some plans, and loading them up front cost every command 50 ms.
    // Loading a library reads the bytes a static import would and changes nothing outside the
    // process, so the renderers stay pure functions; only `node:module`'s require is allowed.
    files: ["src/render/libraries.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: EDGE_MODULES.map((pattern) => (pattern.regex === "^node:" ? { ...pattern, regex: "^node:(?!module$)" } : pattern)) },
      ],
    },
  },
  {
    files: ["src/server/**/*.ts"],
    ignores: TESTS,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)(cli|drivers|plan|manifest|apply|render|export|lock)/",
              message: "The server stands alone: it imports only server/, model/ and sql/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", ...TESTS, ...PURE, "src/server/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: [{ regex: "(^|/)cli/", message: "Nothing imports the CLI." }] }],
    },
  },
  {
    // Tests assert on parsed JSON (`any` by nature) and pass methods to expect(); the type-aware
    // safety rules would only add casts there, not catch bugs.
    files: TESTS,
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/unbound-method": "off",
      // Decoding arbitrary answers, and rejecting with whatever a fake peer was told to fail with.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/prefer-promise-reject-errors": "off",
    },
  },
  {
    // Tools that find their configuration through a default export.
    files: ["vitest.config.ts", "eslint.config.js", "rolldown.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
  },
  // Last: formatting is Prettier's job, so no ESLint rule argues with it.
  prettier,
);
