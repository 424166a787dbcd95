// Starts the real `orderly serve` (or another orderly command) on free
// loopback ports with a data folder of its own, and stops it (SIGTERM, then
// SIGKILL) even when a test fails. tests/openapi uses it too.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const kStartTimeoutMs = 20_000;
const kStopTimeoutMs = 10_000;

export async function startOrderly({ binary, webRoot, adminPassword, extraArgs = [] }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'orderly-web-'));
  return startOrderlyCommand({
    binary,
    dataDir,
    args: ['serve', '--listen', '127.0.0.1:0', '--ops-listen', '127.0.0.1:0', '--data-dir', join(dataDir, 'data'),
      '--threads', '2', '--set', `web.root=${webRoot}`, ...extraArgs],
    env: { ORDERLY_ADMIN_PASSWORD: adminPassword },
  });
}

// Any command that logs `server.started` with its `listen` and `ops_listen`
// (serve, service, gateway). `dataDir` is removed at stop.
export async function startOrderlyCommand({ binary, args, env = {}, dataDir }) {
  const child = spawn(binary, args, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const cleanUp = () => { if (dataDir) rmSync(dataDir, { recursive: true, force: true }); };

  const started = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`orderly did not start in ${kStartTimeoutMs} ms; stderr: ${stderr}`)), kStartTimeoutMs);
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`orderly exited (${code}) at start; stderr: ${stderr}`)); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.includes('"event":"server.started"')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  }).catch(async (error) => { child.kill('SIGKILL'); await exited; cleanUp(); throw error; });

  return {
    url: `http://${started.listen}`,
    opsUrl: `http://${started.ops_listen}`,
    dataDir,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), kStopTimeoutMs);
        await exited;
        clearTimeout(timer);
      }
      cleanUp();
    },
  };
}
