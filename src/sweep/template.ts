/**
 * The commented spec `basin sweep init` writes. It is a working sweep (a small Figure 5.1 grid), so a user can run it
 * as is and edit from there; a test parses it, so it cannot drift from the schema.
 */
export const SWEEP_TEMPLATE = `# basin sweep spec. Run it with: basin sweep run <this file> --store results.duckdb
# Every run is seeded from (seed, cell, repetition): rerunning the command resumes, and any run replays alone.

name: my-sweep            # the sweep's name in the store (letters, digits, ".", "_", "-")
seed: 1                   # sweep seed, an integer in [0, 4294967295]
repetitions: 10           # runs (seeds) per cell
runner: train             # what one run does: generate data, build a net, train, measure
keepWeights: false        # store each end point (needed to count distinct minima up to symmetry)
success:                  # when an end point counts as optimal; the others are "sub-optimal"
  metric: mce             # mce (training misclassification), mse, or loss
  atMost: 0

# Settings shared by every cell. Any of them may instead be a grid axis below.
base:
  dataset: gaussian       # gaussian: x ~ N(0, I), random labels; teacher: labels from a random network
  d0: 8                   # input dimension
  labels: pm1             # pm1 (±1, threshold 0) or 01 ({0,1}, threshold 0.5)
  width: d0               # hidden width: an integer, or d0 for "width = input dimension"
  activation: relu        # relu, leaky-relu:<ρ>, linear, tanh, sigmoid
  bias: true
  slopeNoise: 0           # σ of Soudry–Carmon's fixed slope noise ε ~ N(1, σ²); 0 = none
  loss: mse               # mse = (1/N)‖e‖², or sse
  init: pytorch           # pytorch, lecun, xavier, gaussian (with initMean, initScale, initStd, initBias*)
  optimiser: adam         # gd, sgd, adam, rmsprop, lbfgs (batchSize, momentum where they apply)
  learningRate: 0.01
  epochs: 1000            # optimiser epochs (full-batch: steps)
  decayEpochs: 0          # further epochs with an exponentially decaying learning rate (decayFactor)
  dtype: float64
  # certify: true         # polish and certify each end point (verdict, Hessian counts); see docs/sweeps.md

# Every combination of these values is one cell.
grid:
  N: [20, 40, 80, 160]
  depth: [1, 2]

# Alternatively (or in addition: each entry is crossed with the grid), list cells one by one:
# cells:
#   - { d0: 4, N: 16 }
#   - { d0: 8, N: 64 }
`;
