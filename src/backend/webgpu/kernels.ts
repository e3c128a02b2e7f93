/**
 * WGSL compute kernels of the WebGPU backend, all in float32 (WGSL has no f64). Every kernel reads its sizes and
 * offsets from a uniform block, so one compiled pipeline serves every layer; every kernel binds at most four storage
 * buffers, which WebGPU's compatibility mode (Dawn's OpenGL ES path) allows.
 *
 * Matrices are row-major as basin stores them: samples x (rows × d0), y (rows × dOut); layer l's weights W_l
 * (out × in) at its `weightOffset` in θ and its bias after them (`parameterLayout`); activations U_l, H_l and
 * backprop deltas D_l as (rows × width).
 */

/** Invocations of every one-dimensional kernel's workgroup. */
export const LINEAR_WORKGROUP = 256;

/** Side of the 2-D workgroup of the tiled product (16 × 16 = 256 invocations). */
export const MATMUL_THREADS = 16;

/** Depth of one shared-memory tile along the summed index. */
const MATMUL_DEPTH = 16;

/**
 * Fields of `MatmulParams`, in order; each a u32. The product is C[i, j] = Σ_k A(i, k)·B(k, j) (+ bias[j]) with
 * A(i, k) = a[aOffset + i·aRow + k·aCol], B(k, j) = b[bOffset + k·bRow + j·bCol] and C[i, j] = c[cOffset + i·cRow + j],
 * so that the three products of backprop (X·Wᵀ, Dᵀ·H, D·W) are one kernel with different strides.
 */
export const MATMUL_FIELDS = [
  'm',
  'n',
  'k',
  'aOffset',
  'aRow',
  'aCol',
  'bOffset',
  'bRow',
  'bCol',
  'cOffset',
  'cRow',
  'biasOffset',
  'hasBias',
] as const;

/**
 * The tiled product. Each workgroup computes a (16·rowsPerThread) × (16·colsPerThread) block of C; each invocation
 * keeps rowsPerThread × colsPerThread sums in registers, fed from 16-deep tiles of A and B staged in workgroup memory.
 * Skinny outputs (a 16-wide hidden layer, a scalar output) use 1 per thread along that side so as not to compute
 * 64-wide blocks that are mostly padding.
 */
export function matmulShader(rowsPerThread: number, colsPerThread: number): string {
  const blockRows = MATMUL_THREADS * rowsPerThread;
  const blockCols = MATMUL_THREADS * colsPerThread;
  const fields = MATMUL_FIELDS.map((name) => `  ${name}: u32,`).join('\n');
  const rows = range(rowsPerThread);
  const cols = range(colsPerThread);
  // The inner loops are unrolled here, with one named register per sum, rather than left to the shader compiler:
  // on Mesa's llvmpipe a private array indexed in a loop became per-lane memory traffic and the product ran
  // several times slower; GPU compilers unroll such constant loops anyway.
  const declare = rows.flatMap((i) => cols.map((j) => `  var acc${i}_${j} = 0.0;`)).join('\n');
  // Each invocation loads exactly rowsPerThread elements of the A tile and colsPerThread of the B tile.
  const loadA = rows
    .map(
      (q) => `    {
      let e = t + ${q * MATMUL_THREADS * MATMUL_THREADS}u;
      let r = select(e % BM, e / BK, p.aCol == 1u);
      let kk = select(e / BM, e % BK, p.aCol == 1u);
      let gi = row0 + r;
      let gk = k0 + kk;
      var value = 0.0;
      if (gi < p.m && gk < p.k) { value = a[p.aOffset + gi * p.aRow + gk * p.aCol]; }
      tileA[kk * BM + r] = value;
    }`,
    )
    .join('\n');
  const loadB = cols
    .map(
      (q) => `    {
      let e = t + ${q * MATMUL_THREADS * MATMUL_THREADS}u;
      let col = select(e / BK, e % BN, p.bCol == 1u);
      let kk = select(e % BK, e / BN, p.bCol == 1u);
      let gj = col0 + col;
      let gk = k0 + kk;
      var value = 0.0;
      if (gj < p.n && gk < p.k) { value = b[p.bOffset + gk * p.bRow + gj * p.bCol]; }
      tileB[kk * BN + col] = value;
    }`,
    )
    .join('\n');
  const multiply = [
    ...rows.map((i) => `      let a${i} = tileA[kk * BM + ${i * MATMUL_THREADS}u + lid.y];`),
    ...cols.map((j) => `      let b${j} = tileB[kk * BN + ${j * MATMUL_THREADS}u + lid.x];`),
    ...rows.flatMap((i) => cols.map((j) => `      acc${i}_${j} = fma(a${i}, b${j}, acc${i}_${j});`)),
  ].join('\n');
  const store = rows
    .flatMap((i) =>
      cols.map(
        (j) => `  {
    let gi = row0 + ${i * MATMUL_THREADS}u + lid.y;
    let gj = col0 + ${j * MATMUL_THREADS}u + lid.x;
    if (gi < p.m && gj < p.n) {
      var value = acc${i}_${j};
      if (p.hasBias == 1u) { value += b[p.biasOffset + gj]; }
      c[p.cOffset + gi * p.cRow + gj] = value;
    }
  }`,
      ),
    )
    .join('\n');
  return /* wgsl */ `
struct MatmulParams {
${fields}
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: MatmulParams;

const BM = ${blockRows}u;
const BN = ${blockCols}u;
const BK = ${MATMUL_DEPTH}u;

// tileA[kk][r] = A(row0 + r, k0 + kk); tileB[kk][col] = B(k0 + kk, col0 + col). Neighbouring invocations load
// neighbouring addresses: along k when that stride is 1, else along the rows (columns).
var<workgroup> tileA: array<f32, ${MATMUL_DEPTH * blockRows}>;
var<workgroup> tileB: array<f32, ${MATMUL_DEPTH * blockCols}>;

@compute @workgroup_size(${MATMUL_THREADS}, ${MATMUL_THREADS})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  let t = lid.y * ${MATMUL_THREADS}u + lid.x;
${declare}
  for (var k0 = 0u; k0 < p.k; k0 += BK) {
${loadA}
${loadB}
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
${multiply}
    }
    workgroupBarrier();
  }
${store}
}
`;
}

/** Rows and columns of C per invocation of the direct product, and the side of its (square) workgroup. */
export const DIRECT_BLOCK = 4;
export const DIRECT_THREADS = 8;

/**
 * The same product without workgroup memory, for software adapters: each invocation sums a 4 × 4 block of C straight
 * from the storage buffers (which a CPU's caches serve), with no barriers. On Mesa's llvmpipe it ran 3–7 times faster
 * than the tiled kernel (case (b) shapes, 2 cores), whose barriers and workgroup-memory traffic are emulated there.
 * Loads clamp their indices into range instead of branching; sums for rows or columns past the edge are discarded.
 */
export function directMatmulShader(): string {
  const block = range(DIRECT_BLOCK);
  const fields = MATMUL_FIELDS.map((name) => `  ${name}: u32,`).join('\n');
  const statements = [
    ...block.map((i) => `    let a${i} = a[p.aOffset + r${i} * p.aRow + k * p.aCol];`),
    ...block.map((j) => `    let b${j} = b[p.bOffset + k * p.bRow + c${j} * p.bCol];`),
    ...block.flatMap((i) => block.map((j) => `    acc${i}_${j} = fma(a${i}, b${j}, acc${i}_${j});`)),
  ].join('\n');
  const store = block
    .flatMap((i) =>
      block.map(
        (j) => `  if (i0 + ${i}u < p.m && j0 + ${j}u < p.n) {
    var value = acc${i}_${j};
    if (p.hasBias == 1u) { value += b[p.biasOffset + j0 + ${j}u]; }
    c[p.cOffset + (i0 + ${i}u) * p.cRow + j0 + ${j}u] = value;
  }`,
      ),
    )
    .join('\n');
  return /* wgsl */ `
struct MatmulParams {
${fields}
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: MatmulParams;

@compute @workgroup_size(${DIRECT_THREADS}, ${DIRECT_THREADS})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i0 = g.y * ${DIRECT_BLOCK}u;
  let j0 = g.x * ${DIRECT_BLOCK}u;
${block.map((i) => `  let r${i} = min(i0 + ${i}u, p.m - 1u);`).join('\n')}
${block.map((j) => `  let c${j} = min(j0 + ${j}u, p.n - 1u);`).join('\n')}
${block.flatMap((i) => block.map((j) => `  var acc${i}_${j} = 0.0;`)).join('\n')}
  for (var k = 0u; k < p.k; k++) {
${statements}
  }
${store}
}
`;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** Index of a one-dimensional kernel's invocation under a 2-D grid of workgroups (`linearGrid`). */
const LINEAR_INDEX = /* wgsl */ `
fn linearIndex(lid: vec3u, wid: vec3u, groups: vec3u) -> u32 {
  return (wid.y * groups.x + wid.x) * ${LINEAR_WORKGROUP}u + lid.x;
}`;

/**
 * Leaky ReLU f(u) = u for u > 0, ρu otherwise, and its derivative with basin's kink convention f'(0) = ρ
 * (activation.ts; ReLU is ρ = 0, a linear layer ρ = 1). `activate` writes H = f(U); `backActivate` multiplies a
 * delta by f'(U) in place.
 */
export const ACTIVATION_SHADER = /* wgsl */ `
struct ActivationParams {
  count: u32,
  slope: f32,
}

@group(0) @binding(0) var<storage, read> u: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: ActivationParams;
${LINEAR_INDEX}

@compute @workgroup_size(${LINEAR_WORKGROUP})
fn activate(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
            @builtin(num_workgroups) groups: vec3u) {
  let k = linearIndex(lid, wid, groups);
  if (k < p.count) { out[k] = select(p.slope * u[k], u[k], u[k] > 0.0); }
}

@compute @workgroup_size(${LINEAR_WORKGROUP})
fn backActivate(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
                @builtin(num_workgroups) groups: vec3u) {
  let k = linearIndex(lid, wid, groups);
  if (k < p.count) { out[k] = out[k] * select(p.slope, 1.0, u[k] > 0.0); }
}
`;

/**
 * The seed of backprop and the loss in one pass over the output: e = U_out − y, D_out = 2c·e, and each workgroup's
 * Σe² (a tree sum in workgroup memory) into `partials`, which `LOSS_SHADER` adds up.
 */
export const RESIDUAL_SHADER = /* wgsl */ `
struct ResidualParams {
  count: u32,
  factor: f32,
}

@group(0) @binding(0) var<storage, read> output: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> delta: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<uniform> p: ResidualParams;
${LINEAR_INDEX}

var<workgroup> sums: array<f32, ${LINEAR_WORKGROUP}>;

@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let k = linearIndex(lid, wid, groups);
  var square = 0.0;
  if (k < p.count) {
    let e = output[k] - y[k];
    delta[k] = p.factor * e;
    square = e * e;
  }
  sums[lid.x] = square;
  workgroupBarrier();
  for (var half = ${LINEAR_WORKGROUP / 2}u; half > 0u; half >>= 1u) {
    if (lid.x < half) { sums[lid.x] += sums[lid.x + half]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { partials[wid.y * groups.x + wid.x] = sums[0]; }
}
`;

/** loss = c·Σ partials, by one workgroup; written to `loss[0]`. */
export const LOSS_SHADER = /* wgsl */ `
struct LossParams {
  count: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> loss: array<f32>;
@group(0) @binding(2) var<uniform> p: LossParams;

var<workgroup> sums: array<f32, ${LINEAR_WORKGROUP}>;

@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  var sum = 0.0;
  for (var k = lid.x; k < p.count; k += ${LINEAR_WORKGROUP}u) { sum += partials[k]; }
  sums[lid.x] = sum;
  workgroupBarrier();
  for (var half = ${LINEAR_WORKGROUP / 2}u; half > 0u; half >>= 1u) {
    if (lid.x < half) { sums[lid.x] += sums[lid.x + half]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { loss[0] = p.scale * sums[0]; }
}
`;

/** The bias gradient Σ_rows D[row, col]: one workgroup per column (workgroup id x + y·groups.x), a tree sum. */
export const COLUMN_SUM_SHADER = /* wgsl */ `
struct ColumnSumParams {
  rows: u32,
  cols: u32,
  outOffset: u32,
}

@group(0) @binding(0) var<storage, read> d: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: ColumnSumParams;

var<workgroup> sums: array<f32, ${LINEAR_WORKGROUP}>;

@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let col = wid.y * groups.x + wid.x;
  var sum = 0.0;
  if (col < p.cols) {
    for (var row = lid.x; row < p.rows; row += ${LINEAR_WORKGROUP}u) { sum += d[row * p.cols + col]; }
  }
  sums[lid.x] = sum;
  workgroupBarrier();
  for (var half = ${LINEAR_WORKGROUP / 2}u; half > 0u; half >>= 1u) {
    if (lid.x < half) { sums[lid.x] += sums[lid.x + half]; }
    workgroupBarrier();
  }
  if (lid.x == 0u && col < p.cols) { out[p.outOffset + col] = sums[0]; }
}
`;

/** Rows `index` of a (count × width) matrix, for minibatches: dst[r, c] = src[index[r], c]. */
export const GATHER_SHADER = /* wgsl */ `
struct GatherParams {
  count: u32,
  width: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> index: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<uniform> p: GatherParams;
${LINEAR_INDEX}

@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let k = linearIndex(lid, wid, groups);
  if (k < p.count) {
    let row = k / p.width;
    dst[k] = src[index[row] * p.width + k % p.width];
  }
}
`;

/**
 * One Adam step, the formula of src/train/update-rules.ts: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * θ ← θ − lr·(m/c1) / (√(v/c2) + ε) with c1 = 1−β1ᵗ and c2 = 1−β2ᵗ. The host computes c1, c2 and 1−β in double and
 * passes them rounded once: 1 − β2ᵗ formed in float32 would lose about 1e-5 relative accuracy at t = 1 for β2 = 0.999.
 * `moments` holds m in [0, count) and v in [count, 2·count).
 */
export const ADAM_SHADER = /* wgsl */ `
struct AdamParams {
  count: u32,
  learningRate: f32,
  correction1: f32,
  correction2: f32,
  beta1: f32,
  beta2: f32,
  oneMinusBeta1: f32,
  oneMinusBeta2: f32,
  epsilon: f32,
}

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read> gradient: array<f32>;
@group(0) @binding(2) var<storage, read_write> moments: array<f32>;
@group(0) @binding(3) var<uniform> p: AdamParams;
${LINEAR_INDEX}

@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let i = linearIndex(lid, wid, groups);
  if (i >= p.count) { return; }
  let g = gradient[i];
  let m = p.beta1 * moments[i] + p.oneMinusBeta1 * g;
  let v = p.beta2 * moments[p.count + i] + p.oneMinusBeta2 * g * g;
  moments[i] = m;
  moments[p.count + i] = v;
  theta[i] = theta[i] - (p.learningRate * (m / p.correction1)) / (sqrt(v / p.correction2) + p.epsilon);
}
`;

/** Byte size of every uniform block (the largest, AdamParams, has 9 words; uniform sizes round up to 16). */
export const UNIFORM_BYTES = 64;

/** A 2-D grid of workgroups covering `groups` workgroups when one dimension is capped at `maxPerDimension`. */
export function linearGrid(groups: number, maxPerDimension: number): [number, number] {
  const x = Math.max(1, Math.min(groups, maxPerDimension));
  return [x, Math.max(1, Math.ceil(groups / x))];
}
