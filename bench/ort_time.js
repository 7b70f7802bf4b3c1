// Times one ONNX model in ONNX Runtime (npm onnxruntime-node) for kiln's benchmarks:
//   node bench/ort_time.js MODEL.onnx INPUT_NAME D0,D1,... REPEATS THREADS [WARMUP]
// prints "median_ms X min_ms Y" over REPEATS runs after WARMUP untimed runs (default 1), on
// a fixed deterministic input.
const ort = require('onnxruntime-node');

async function main() {
  const [model, inputName, dims, repeats, threads, warmup = '1'] = process.argv.slice(2);
  if (!threads) {
    console.error('usage: node ort_time.js MODEL.onnx INPUT_NAME D0,D1,... REPEATS THREADS [WARMUP]');
    process.exit(2);
  }
  const warmupRuns = Number(warmup);
  if (!Number.isInteger(warmupRuns) || warmupRuns < 0) {
    console.error(`ort_time: WARMUP must be a count of 0 or more, not '${warmup}'`);
    process.exit(2);
  }
  const shape = dims.split(',').map(Number);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const feeds = { [inputName]: new ort.Tensor('float32', data, shape) };
  for (let r = 0; r < warmupRuns; r++) await session.run(feeds);
  const times = [];
  for (let r = 0; r < Number(repeats); r++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`median_ms ${times[Math.floor(times.length / 2)]} min_ms ${times[0]}`);
}

main().catch((error) => {
  console.error(`ort_time: ${error.message}`);
  process.exit(1);
});
