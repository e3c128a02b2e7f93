/**
 * The tolerances of basin's float64 decisions, each named once with what it means and why it has its value.
 *
 * They live in core because model (`kinkMargin`), landscape and sweep decide with them as well as certify. Two
 * constants with equal values stay apart when they mean different things, so that changing one cannot change the
 * other. ε = 2.2e-16 is float64's machine epsilon; lossScale = c‖y‖² (`referenceLossScale`), the loss of the
 * network that outputs 0 everywhere.
 */

/**
 * ‖∇L‖ ≤ GRADIENT_TOLERANCE·lossScale counts as stationary: where polishing stops, and what the certificate's
 * `gradient` rule compares with. A float64 gradient rounds to about 1e-16…1e-15·lossScale (polished points reach
 * 1.7e-15, docs/certification.md); 1e-12 leaves polishing room above that floor, while a gradient that large still
 * changes the loss by no more than 1e-12·lossScale per unit step.
 */
export const GRADIENT_TOLERANCE = 1e-12;

/**
 * |pre-activation| ≤ KINK_TOLERANCE (absolute) counts as on a kink: the kink margin's `nearKinkCount`, the kinked
 * pairs of a certificate, polishing's kink exit. Polishing holds a pair on its kink up to the rounding of its
 * pre-activation (about 1e-15 for unit-sized weights and inputs), far below 1e-9; a pre-activation that training or
 * polishing left off its kink is typically 1e-6 away or more (6.6e-6 at the CIFAR point of docs/certification.md).
 * The exact kink tests treat a counted pair as exactly 0, so only pairs that are on their kink should count.
 */
export const KINK_TOLERANCE = 1e-9;

/**
 * The rounding of a computed loss value, relative to it: L′ within LOSS_ROUNDING·L of L is the same loss. A float64
 * sum of n squared residuals is off by up to about n·ε relative (typically √n·ε); 1e-13 ≈ 450ε bounds that for the
 * sample counts basin certifies. Polishing accepts a step whose loss is within it when the gradient drops (the loss
 * alone cannot steer the last digits), and the `constant-output` rule allows it between the two sums it compares.
 */
export const LOSS_ROUNDING = 1e-13;

/**
 * L ≤ ZERO_LOSS_TOLERANCE·lossScale counts as zero loss, a global minimum since L ≥ 0. It says ‖r‖ ≤ 1e-10·‖y‖:
 * residuals at the level float64 leaves in a fit that is exact in real arithmetic, and far below the loss of any
 * minimum that does not fit (those are O(lossScale) on the known-answer sets).
 */
export const ZERO_LOSS_TOLERANCE = 1e-20;

/**
 * |L − knownOptimum| ≤ KNOWN_OPTIMUM_TOLERANCE·lossScale counts as attaining a known global minimum value. The
 * loss of a polished point differs from its critical value by about ‖∇L‖²/λ_min, far less; 1e-12 is loose for
 * such points and still far below the gaps between the minima of the known-answer sets. Equal in value to the
 * gradient tolerance, but a separate choice.
 */
export const KNOWN_OPTIMUM_TOLERANCE = 1e-12;

/**
 * A probe step counts as descent when ΔL < −PROBE_DESCENT_TOLERANCE·(L + lossScale): ten times the rounding of
 * each loss value compared (LOSS_ROUNDING), so that only a real decrease speaks against a minimum; the lossScale
 * term keeps the threshold positive at L = 0.
 */
export const PROBE_DESCENT_TOLERANCE = 1e-12;

/**
 * A Hessian eigenvalue counts as zero when |λ| ≤ EIGENVALUE_ZERO_TOLERANCE·max|λ|. The dense eigensolver's errors
 * are about P·ε·max|λ| (1e-13 for P = 400), and a polished point's residual gradient moves the symmetry modes off 0
 * by even less (‖H·t‖/(‖t‖·max|λ|) = 6.7e-16 in docs/certification.md); 1e-9 counts those as zero with room to
 * spare, so that a verdict of curvature rests on an eigenvalue no rounding explains.
 */
export const EIGENVALUE_ZERO_TOLERANCE = 1e-9;

/**
 * Newton's pseudo-inverse leaves out eigenvalues with |λ| ≤ NEWTON_EIGENVALUE_CUTOFF·max|λ| (the symmetry modes,
 * the kink normals projected out): 1/λ would blow their rounding up into steps along flat directions. Below
 * EIGENVALUE_ZERO_TOLERANCE because it only shapes a step, which the acceptance test then checks, so weakly
 * curved directions are better kept in it.
 */
export const NEWTON_EIGENVALUE_CUTOFF = 1e-10;

/**
 * Conjugate gradients of an "exact" solve (polishing's least-squares solves on one activation pattern) stop at a
 * relative residual of EXACT_SOLVE_RESIDUAL, a few hundred ε: about as far as CG gets in float64, so the step
 * lands on the pattern's optimum to rounding (an ill-conditioned system runs out of iterations first).
 */
export const EXACT_SOLVE_RESIDUAL = 1e-13;

/**
 * Trust-region Newton gives up once its radius is ≤ TRUST_REGION_MIN_RADIUS·max(1, ‖θ‖): a step that short
 * (≈ 5ε relative) no longer changes θ beyond rounding, so the model cannot be checked against the loss.
 */
export const TRUST_REGION_MIN_RADIUS = 1e-15;

/**
 * Polishing's kink exit tries steps t = 1e-2, 1e-3, … times max(1, ‖θ‖) while t > KINK_EXIT_MIN_STEP times it:
 * the last, 1e-13 relative, still moves θ by a few hundred ε, so a decrease it shows is not rounding.
 */
export const KINK_EXIT_MIN_STEP = 1e-14;

/**
 * A vector adds nothing to a span (`Subspace`: symmetry tangents, kink normals) when its remainder after projection
 * is ≤ SPAN_DROP_TOLERANCE times its own norm. Gram–Schmidt applied twice leaves dependent vectors a remainder of a
 * few ε; 1e-10 drops those and keeps vectors that are merely close to dependent (normals of nearby samples).
 */
export const SPAN_DROP_TOLERANCE = 1e-10;

/**
 * Non-negative least squares (`projectOntoCone`) adds a generator only when its inner product with the residual
 * exceeds CONE_CORRELATION_TOLERANCE·scale² (scale: the largest norm among b and the generators). Inner products of
 * vectors that size round to about n·ε·scale²; smaller correlations are rounding and would cycle the active set.
 */
export const CONE_CORRELATION_TOLERANCE = 1e-13;

/**
 * z = B⁺·1 points strictly into a kink piece only when its cosine with every sided kink normal is
 * > INTERIOR_COSINE_TOLERANCE; at or below it the normals are dependent to rounding (the fit cannot make every row 1)
 * and the piece has no interior direction to step along.
 */
export const INTERIOR_COSINE_TOLERANCE = 1e-10;

/**
 * A descent witness at a kink must keep a cosine > WITNESS_MARGIN_TOLERANCE with every sided kink normal, so that a
 * finite step along it stays inside its piece. Smaller than INTERIOR_COSINE_TOLERANCE: the witness is the cone
 * residual tilted inwards by a deliberately small multiple of z, so it only has to be positive beyond rounding; the
 * numerical check of its slope follows.
 */
export const WITNESS_MARGIN_TOLERANCE = 1e-12;

/**
 * A hidden unit contributes no rescaling tangent to a certificate when all its weights (incoming, bias, outgoing)
 * are ≤ RESCALING_UNIT_TOLERANCE·max(1, max|θ|). Its tangent (incoming, −outgoing) is then as small as the rounding
 * around the unit's zero: Newton stops 1e-23 from the saddle of (w1·w2 − 1)² at the origin, where that tangent
 * pointed along the negative eigenvector and removing it turned the saddle into a "minimum". A null direction of H
 * needs ‖H·t‖ ≪ ‖t‖, and ‖H·t‖ is about ‖∇L‖ (≤ 1e-12·lossScale at a certified point), so a tangent must be well above
 * that to be one; 1e-9, like KINK_TOLERANCE, is weights that nothing but rounding left non-zero.
 */
export const RESCALING_UNIT_TOLERANCE = 1e-9;

/**
 * Canonical forms sort units by their incoming weights; keys within CANONICAL_KEY_TOLERANCE·max(1, |a|, |b|) are a
 * tie broken by the next key, so that rounding between two copies of one minimum cannot reorder their units.
 */
export const CANONICAL_KEY_TOLERANCE = 1e-9;

/**
 * `basin search` merges two polished end points when max|a − b| ≤ SEARCH_MERGE_TOLERANCE·scale (outputs, or
 * canonical θ). Polished points sit on their critical point to far better than 1e-6, and distinct minima differ at
 * O(1), so 1e-6 merges copies of one minimum with a wide margin on both sides.
 */
export const SEARCH_MERGE_TOLERANCE = 1e-6;

/**
 * Sweep summaries merge trained end points when their canonical forms agree within
 * MINIMA_MERGE_TOLERANCE·max(1, ‖a‖∞). These points are not polished: they are only as close to their minimum as
 * training's stopping rule left them, so 1e-3, looser than `basin search`'s, merges copies of one minimum and still
 * keeps apart minima whose canonical weights differ in the third digit.
 */
export const MINIMA_MERGE_TOLERANCE = 1e-3;

/**
 * The activation-region analysis says the point attains its region's least-squares minimum when ‖e − e*‖ ≤
 * REGION_ATTAIN_TOLERANCE·‖y‖. e* comes from an SVD of A∘X whose conditioning can cost several digits, so the test
 * is much looser than the gradient's (points that attain it agree to 1e-10 in the tests).
 */
export const REGION_ATTAIN_TOLERANCE = 1e-6;

/**
 * `kinks1d` bisects each kink of a 1-D input down to an interval of KINK_LOCATION_TOLERANCE·max(1, |x|): a few
 * thousand ε, close to where the midpoint stops being distinct from the ends.
 */
export const KINK_LOCATION_TOLERANCE = 1e-12;

/**
 * A trained network's output counts as constant over the samples when max − min ≤
 * CONSTANT_OUTPUT_TOLERANCE·max(1, |max|): a ReLU layer dead on every sample gives one output up to the rounding of
 * the layers after it, and any real dependence on the input is orders of magnitude larger.
 */
export const CONSTANT_OUTPUT_TOLERANCE = 1e-12;

/**
 * `curveProfile` refines the highest grid point of a path's loss by golden-section search until the bracket in t is
 * at most CURVE_PEAK_T_TOLERANCE wide: about 40 evaluations from a 101-point grid. A smooth peak's loss then sits
 * within O(tolerance²)·L'' of the top, far below the loss's own rounding; finer adds evaluations and nothing else.
 */
export const CURVE_PEAK_T_TOLERANCE = 1e-9;

/**
 * A nudged elastic band has converged when every image's force perpendicular to the band (and the climbing image's
 * whole force) is ≤ NEB_FORCE_TOLERANCE·lossScale. The band only has to bring its climbing image into the basin of
 * Newton's method on the gradient, which then converges to rounding (saddle.ts); 1e-5 puts the climbing image
 * within about 1e-5/λ of the saddle, well inside that basin for curvatures of order lossScale, without spending
 * thousands of FIRE steps on digits that Newton gets in one or two.
 */
export const NEB_FORCE_TOLERANCE = 1e-5;

/**
 * The band's highest image starts climbing once the largest perpendicular force is ≤ NEB_CLIMB_FORCE·lossScale (or
 * after half the iterations): climbing earlier, before the band lies near the minimum-energy path, can send the image
 * up the wrong ridge (Henkelman, Uberuaga & Jónsson 2000 switch it on after "a few iterations"); 1e-2 is rough
 * convergence at the scale the loss itself varies on.
 */
export const NEB_CLIMB_FORCE = 1e-2;

/**
 * The region-volume estimate (src/landscape/volume.ts) takes a region's least-squares residual e*_A as zero when
 * ‖e*_A‖ ≤ REGION_ZERO_RESIDUAL_TOLERANCE·‖y‖. A consistent system leaves rounding of about κ(A∘X)·ε relative
 * (1e-16 to 1e-12 at the sizes surveyed), while a region that cannot fit its labels misses at least one sample,
 * ‖e*‖/‖y‖ of order 1/√N (0.1 at N = 100); 1e-8 sits between the two with orders of magnitude on each side, and
 * the estimate records the largest residual it took as zero and the smallest it did not, so that the gap shows.
 * Looser than ZERO_LOSS_TOLERANCE's 1e-10 in ‖r‖: that one judges polished points, this one an SVD solve of a
 * possibly ill-conditioned A∘X.
 */
export const REGION_ZERO_RESIDUAL_TOLERANCE = 1e-8;

/**
 * A block v_i of a region's least-squares weights lies strictly inside unit i's cone only when every sided
 * cosine s_in·v_i·x⁽ⁿ⁾/(‖v_i‖‖x⁽ⁿ⁾‖) exceeds CONE_FEASIBLE_COSINE_TOLERANCE. v comes from an SVD solve with
 * relative error up to κ(A∘X)·ε; 1e-8 keeps only signs that such an error cannot flip (κ up to about 1e7), so the
 * network built from v is inside the region in exact arithmetic too. Rejecting a closer call only lowers a lower
 * bound.
 */
export const CONE_FEASIBLE_COSINE_TOLERANCE = 1e-8;
