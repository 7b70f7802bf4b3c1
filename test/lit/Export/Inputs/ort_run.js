// Runs an ONNX model in ONNX Runtime (npm onnxruntime-node) for make_fixtures.py:
//   node ort_run.js MODEL.onnx DIR
// DIR/inputs.json lists each input as {name, type, dims, file} with its raw little-endian
// data in DIR/<file>; each output is written as DIR/<name>.bin with DIR/<name>.json
// ({type, dims}). Node has no protobuf reader, so the tensors travel as raw bytes.
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const arrays = { float32: Float32Array, float64: Float64Array, int32: Int32Array };

async function main() {
  const [model, dir] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node ort_run.js MODEL.onnx DIR');
    process.exit(2);
  }
  const specs = JSON.parse(fs.readFileSync(path.join(dir, 'inputs.json'), 'utf8'));
  const feeds = {};
  for (const spec of specs) {
    const bytes = fs.readFileSync(path.join(dir, spec.file));
    const data = new arrays[spec.type](bytes.buffer, bytes.byteOffset,
                                       bytes.length / arrays[spec.type].BYTES_PER_ELEMENT);
    feeds[spec.name] = new ort.Tensor(spec.type, data, spec.dims);
  }
  // One thread: the fixtures must not depend on the machine that made them.
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const results = await session.run(feeds);
  for (const name of session.outputNames) {
    const tensor = results[name];
    fs.writeFileSync(path.join(dir, `${name}.bin`), Buffer.from(tensor.data.buffer,
                     tensor.data.byteOffset, tensor.data.byteLength));
    fs.writeFileSync(path.join(dir, `${name}.json`),
                     JSON.stringify({ type: tensor.type, dims: tensor.dims }));
  }
}

main().catch((error) => {
  console.error(`ort_run: ${error.message}`);
  process.exit(1);
});
