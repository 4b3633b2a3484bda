// One gateway replica for bench/replicas.mjs: the API server on a free loopback port, its state where
// BENCH_STATE_ENV says (a HERMES_DATABASE_URL, or none for state.db), the model at BENCH_MODEL_URL.
import { startApiGateway } from './api-gateway.mjs';

const env = JSON.parse(process.env.BENCH_STATE_ENV ?? '{}');
const gateway = await startApiGateway({ baseURL: process.env.BENCH_MODEL_URL }, env);
process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
process.on('SIGTERM', () => {
  gateway.stop().finally(() => process.exit(0));
});
