// Builds the mapping studio's browser page into one folder of local files (no CDN: the studio
// works offline): app.js (esbuild bundle of page/main.ts and CodeMirror), app.css, index.html.
import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Beside this file in the source tree; from the compiled copy (dist/engine/studio), the
// package's engine/studio/page (the page's sources are not compiled by tsc).
const here = dirname(fileURLToPath(import.meta.url));
const pageDir = [join(here, 'page'), join(here, '..', '..', '..', 'engine', 'studio', 'page')].find((dir) => existsSync(join(dir, 'main.ts'))) ?? join(here, 'page');

// The page runs in the browser: only its own files and CodeMirror (with what CodeMirror itself
// imports) may be bundled. A stray engine or node: import fails the build instead of bloating it.
const browserOnly: Plugin = {
  name: 'studio-browser-only',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.importer.startsWith(pageDir) && !/^(?:codemirror|@codemirror\/)/.test(args.path)) {
        return { errors: [{ text: `the studio page may import only CodeMirror and its own files, not ${args.path}` }] };
      }
      return undefined;
    });
    build.onResolve({ filter: /^\.\.\// }, (args) => {
      if (args.importer.startsWith(pageDir) && !resolve(args.resolveDir, args.path).startsWith(pageDir)) {
        return { errors: [{ text: `the studio page may not import ${args.path} (outside engine/studio/page)` }] };
      }
      return undefined;
    });
  },
};

export async function buildStudioPage(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  // app.js is written last, under a temporary name: its presence tells the server the page is complete.
  const appJs = join(outDir, 'app.js');
  const tmpJs = join(outDir, `app.${process.pid}.tmp.js`);
  await copyFile(join(pageDir, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(pageDir, 'styles.css'), join(outDir, 'app.css'));
  try {
    await build({
      entryPoints: [join(pageDir, 'main.ts')],
      outfile: tmpJs,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
      plugins: [browserOnly],
    });
    await rename(tmpJs, appJs);
  } finally {
    await rm(tmpJs, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? 'dist/studio');
  const started = Date.now();
  await buildStudioPage(outDir);
  process.stdout.write(`studio page built in ${outDir} (${Date.now() - started} ms)\n`);
}
