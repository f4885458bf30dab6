import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { serverSuite } from './suite.js';

// `unimap serve --sandbox` on a random port, started as a newcomer would start it.
serverSuite('node adapter', async () => {
  const child = spawn(process.execPath, [join(process.cwd(), 'engine/cli/unimap.js'), 'serve', '--sandbox', '--port', '0'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logLines: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n').filter(Boolean)));
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${logLines.join('\n')}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out} ${logLines.join('\n')}`)));
  });
  return {
    base,
    logLines,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
});
