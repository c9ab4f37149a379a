// Flat config. Layer rules (DESIGN.md §2, DESIGN-2.md §1) are enforced here so a crossed layer fails `npm test`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const electronRuntime = { name: 'electron', message: 'Only `import type` from electron outside the Electron runtime; main/core never imports electron.' };

// --- The layers of main/core, top to bottom (DESIGN-2.md §1) ---------------------------------------
// ONE ordered list. A file may import files of its own layer (the cycle rule forbids cycles there) and
// of the layers below it, never a layer above. Globs are relative to main/core. A layer with
// `siblings` is a row of independent packages: none imports another, nor anything above the row.
const LAYERS = [
  { name: 'entry', files: ['app/index.ts'] }, // the package's public entry: re-exports the façade
  { name: 'service', files: ['app/service.ts'] }, // façade + composition root
  { name: 'router', files: ['app/router.ts'] },
  { name: 'outbox', files: ['app/outbox*.ts'] },
  { name: 'connector', files: ['app/connector.ts'] },
  { name: 'invitations', files: ['app/invitations.ts'] },
  // Group conversations (issue 14): the ad hoc / scheduled meeting flow, its IM, Add people, Leave.
  { name: 'groups', files: ['app/groups.ts'] },
  { name: 'lives', files: ['app/lives.ts', 'app/roster.ts'] },
  // Contacts and presence (issue 13): the list sync, the presence manager, contacts' and your own
  // status, Favourites, a distribution group's people, and the photos shown for them.
  { name: 'people', files: ['app/people.ts', 'app/contactList.ts', 'app/presenceSubscriptions.ts', 'app/contactParts.ts', 'app/myStatus.ts', 'app/favourites.ts', 'app/groupExpansion.ts', 'app/personPhotos.ts'] },
  { name: 'session', files: ['app/session*.ts'] },
  { name: 'sync', files: ['app/sync.ts'] },
  { name: 'app base', files: ['app/events.ts', 'app/errors.ts', 'app/types.ts', 'app/deps.ts', 'app/retry*.ts', 'app/reading.ts', 'app/semaphore.ts', 'app/batchGets.ts'] },
  // The photo cache and its bytes: ucwa, store types and base only, so any layer above may hold one.
  { name: 'photos', files: ['app/photos.ts', 'app/photoFetch.ts', 'app/imageSniff.ts'] },
  {
    name: 'packages',
    siblings: {
      machines: ['machines/**'], // pure decisions: imports none of the others
      ucwa: ['ucwa/**'], // throws only its own errors
      store: ['store/**'],
      secrets: ['secrets/**'],
    },
  },
  { name: 'base', files: ['paths.ts', 'limits.ts', 'logSafe.ts', 'text.ts'] }, // bottom: imports nothing of main/core
];

// Exceptions to the row of packages, each a type-only import (enforced below) with its reason.
const PACKAGE_EXCEPTIONS = {
  // ucwa decodes server resources into the shapes the store takes (Person, MessageInput, LogInput).
  ucwa: ['store/types.ts'],
};

// What the shells (main/electron, main/cli, main/ipc) may import of main/core/app.
const APP_PUBLIC = ['app/index.ts', 'app/types.ts', 'app/service.ts'];

const root = path.dirname(fileURLToPath(import.meta.url));
const inCore = (p) => `main/core/${p}`;
const absCore = (p) => path.join(root, 'main/core', p);
// no-restricted-paths wants glob exceptions when `from` is a glob: '@(ts)' makes a plain path a glob.
const asGlob = (p) => (/[*?[\]{}()!@+]/.test(p) ? p : p.replace(/\.ts$/, '.@(ts)'));

function layerZones() {
  const zones = [];
  const appLayers = LAYERS.filter((l) => l.files?.some((f) => f.startsWith('app/')));
  LAYERS.forEach((layer, i) => {
    const below = LAYERS.slice(i + 1);
    const above = LAYERS.slice(0, i);
    const filesOf = (l) => l.files ?? [];
    if (layer.files && appLayers.includes(layer)) {
      // Within app/: everything but this layer and the app layers below it.
      zones.push({
        target: layer.files.map(inCore),
        from: [absCore('app/**')],
        except: [layer, ...below].filter((l) => appLayers.includes(l)).flatMap(filesOf).map((f) => asGlob(absCore(f))),
        message: `Layer "${layer.name}" may import only its own layer and the layers below it (eslint.config.js LAYERS).`,
      });
    } else if (layer.siblings) {
      for (const [name, files] of Object.entries(layer.siblings)) {
        const others = Object.entries(layer.siblings).filter(([n]) => n !== name).flatMap(([, f]) => f);
        const allowed = (PACKAGE_EXCEPTIONS[name] ?? []).map((f) => asGlob(absCore(f)));
        zones.push({
          target: files.map(inCore),
          from: ['app/**', ...others].map(absCore),
          ...(allowed.length ? { except: allowed } : {}),
          message: `main/core/${name} never imports main/core/app nor ${Object.keys(layer.siblings).filter((n) => n !== name).join(', ')}.`,
        });
      }
    } else {
      // The bottom: nothing of main/core above it (every layer above is a glob of a folder or of app/).
      zones.push({
        target: layer.files.map(inCore),
        from: ['app/**', ...above.flatMap((l) => Object.values(l.siblings ?? {}).flat())].map(absCore),
        message: `Layer "${layer.name}" is the bottom of main/core: it imports nothing of main/core.`,
      });
    }
  });
  // The core never imports the shells.
  zones.push({ target: ['main/core/**'], from: ['main/electron/**', 'main/cli/**', 'main/ipc/**'].map((p) => path.join(root, p)), message: 'main/core never imports the shells (electron, cli, ipc).' });
  // The shells reach the app only through its public files.
  zones.push({
    target: ['main/electron/**', 'main/cli/**', 'main/ipc/**'],
    from: [absCore('app/**')],
    except: APP_PUBLIC.map((f) => asGlob(absCore(f))),
    message: `The shells import main/core/app only through ${APP_PUBLIC.join(', ')}.`,
  });
  return zones;
}

const layeredAppFiles = LAYERS.flatMap((l) => l.files ?? []).filter((f) => f.startsWith('app/')).map(inCore);

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'release/**', '.tools/**', 'test-results/**', 'playwright-report/**', 'artifacts/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronRuntime], patterns: [{ group: ['**/simulator/**', '**/electron/**'], message: 'main/core must not import the simulator or the Electron shell.' }] }],
    },
  },
  {
    files: ['simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**'], message: 'The simulator never imports client code (DESIGN.md §2).' }] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The renderer may import TYPES from main/ipc/contract.ts and nothing else from main (DESIGN.md §2).
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ ...electronRuntime, allowTypeImports: false }],
        patterns: [{ group: ['**/main/**'], allowTypeImports: true, message: 'The renderer imports only types of the IPC contract from main.' }],
      }],
    },
  },
  {
    // Import graph of main/: no cycle, and the layers above. Resolution follows tsconfig.json (the
    // sources import with explicit `.ts` specifiers).
    files: ['main/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Parse the imported .ts files too (the cycle rule walks them), with the TypeScript parser.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: path.join(root, 'tsconfig.json') }),
        createNodeResolver(),
      ],
    },
    rules: {
      // Value imports: import-x cannot count `import type` (erased under verbatimModuleSyntax, so no
      // runtime cycle). Type imports cannot smuggle an upward dependency: the layer rule below checks
      // every import, type-only ones included; and tests/unit/importGraph.test.ts fails on any cycle
      // under main/ that type imports close.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones() }],
    },
  },
  {
    // A file of main/core/app that is in no layer fails: every file has its place in LAYERS.
    files: ['main/core/app/**/*.ts'],
    ignores: layeredAppFiles,
    rules: {
      'no-restricted-syntax': ['error', { selector: 'Program', message: 'This file of main/core/app is in no layer: add it to LAYERS in eslint.config.js.' }],
    },
  },
  {
    // Outside the Electron runtime `require('electron')` downloads the binary lazily and throws here.
    files: ['main/core/**/*.ts', 'main/cli/**/*.ts', 'simulator/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ ...electronRuntime, allowTypeImports: true }] }],
    },
  },
  ...Object.entries(PACKAGE_EXCEPTIONS).map(([pkg, files]) => ({
    // The exceptions to the row of packages are type-only.
    files: [inCore(`${pkg}/**/*.ts`)],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ ...electronRuntime, allowTypeImports: true }],
        patterns: files.map((f) => ({ group: [`**/${f}`], allowTypeImports: true, message: `main/core/${pkg} may import only types from main/core/${f}.` })),
      }],
    },
  })),
);
