;; Elementwise kernels in WebAssembly SIMD (128-bit), assembled by wabt (scripts/build-wasm.mjs):
;; the fused Adam step, ReLU with its derivative and the gradient reduction (sumsq). They work on operands in the module's memory
;; (byte offsets below): copied there by the caller (kernels/staged.ts stages them in chunks), or,
;; for the build's second module (ELEMENTWISE_HEAP_WASM_BASE64: this source with its memory line
;; replaced by an imported shared memory, a `WasmHeap`, kernels/heap.ts), where they already live.
;; They process whole vectors (4 float32 or 2 float64 lanes): staged.ts only hands them whole
;; vectors of arrays it does not own, and stages the ragged tail.
;;
;; Same bits as the JavaScript kernels (kernels/adam.ts, kernels/relu.ts):
;; - Adam computes in the arrays' dtype, the operations in the same order as the JavaScript code:
;;     m = b1*m0 + c1*g              v = b2*v0 + (c2*g)*g
;;     u = m / bc1 / (sqrt(v) / bc2s + eps)
;;     p = p + factor*u
;;   adam64 in float64; adam32 in float32 (f32x4, the constants rounded to float32), except
;;   factor*u, done in float64 and rounded (demote, round to nearest even, as Math.fround does).
;;   JavaScript rounds each float64 operation with Math.fround, which gives the float32 operation's
;;   result exactly. No fused multiply-add, no reciprocal: IEEE add, mul, div and sqrt are correctly
;;   rounded in both, so each step gives the same bits.
;; - ReLU: y = x <= 0 ? +0 : x, and gx = x <= 0 ? +0 : g (NaN fails the comparison: kept / gets g),
;;   a lane mask instead of a branch.
(module
  (memory (export "memory") 1)
  (global $B1 (mut v128) (v128.const i64x2 0 0))
  (global $C1 (mut v128) (v128.const i64x2 0 0))
  (global $B2 (mut v128) (v128.const i64x2 0 0))
  (global $C2 (mut v128) (v128.const i64x2 0 0))
  (global $BC1 (mut v128) (v128.const i64x2 0 0))
  (global $BC2S (mut v128) (v128.const i64x2 0 0))
  (global $EPS (mut v128) (v128.const i64x2 0 0))
  (global $F (mut v128) (v128.const i64x2 0 0))
  ;; The constants rounded to float32, splatted to four lanes (adam32's arithmetic).
  (global $B1S (mut v128) (v128.const i64x2 0 0))
  (global $C1S (mut v128) (v128.const i64x2 0 0))
  (global $B2S (mut v128) (v128.const i64x2 0 0))
  (global $C2S (mut v128) (v128.const i64x2 0 0))
  (global $BC1S (mut v128) (v128.const i64x2 0 0))
  (global $BC2SS (mut v128) (v128.const i64x2 0 0))
  (global $EPSS (mut v128) (v128.const i64x2 0 0))

  ;; Sets the Adam constants of the next adam32/adam64 calls (each splatted to both f64x2 lanes).
  (func (export "adamConstants")
    (param $b1 f64) (param $c1 f64) (param $b2 f64) (param $c2 f64)
    (param $bc1 f64) (param $bc2s f64) (param $eps f64) (param $factor f64)
    (global.set $B1 (f64x2.splat (local.get $b1)))
    (global.set $C1 (f64x2.splat (local.get $c1)))
    (global.set $B2 (f64x2.splat (local.get $b2)))
    (global.set $C2 (f64x2.splat (local.get $c2)))
    (global.set $BC1 (f64x2.splat (local.get $bc1)))
    (global.set $BC2S (f64x2.splat (local.get $bc2s)))
    (global.set $EPS (f64x2.splat (local.get $eps)))
    (global.set $F (f64x2.splat (local.get $factor)))
    (global.set $B1S (f32x4.splat (f32.demote_f64 (local.get $b1))))
    (global.set $C1S (f32x4.splat (f32.demote_f64 (local.get $c1))))
    (global.set $B2S (f32x4.splat (f32.demote_f64 (local.get $b2))))
    (global.set $C2S (f32x4.splat (f32.demote_f64 (local.get $c2))))
    (global.set $BC1S (f32x4.splat (f32.demote_f64 (local.get $bc1))))
    (global.set $BC2SS (f32x4.splat (f32.demote_f64 (local.get $bc2s))))
    (global.set $EPSS (f32x4.splat (f32.demote_f64 (local.get $eps)))))

;; Adam on n elements: g at $g, m0 at $m0 and v0 at $v0, the new moments into $m and $v (which may
  ;; be $m0 and $v0), p at $p (updated), two elements (one f64x2) per iteration. The two functions differ only in loading, storing and
  ;; the float32 roundings (no function calls inside the loop: V8 does not inline them).
  (func (export "adam64") (param $n i32) (param $g i32) (param $m0 i32) (param $v0 i32) (param $m i32) (param $v i32) (param $p i32)
    (local $i i32) (local $end i32) (local $gi v128) (local $mi v128) (local $vi v128) (local $u v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $gi (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mi (f64x2.add (f64x2.mul (global.get $B1) (v128.load (i32.add (local.get $m0) (local.get $i))))
                                  (f64x2.mul (global.get $C1) (local.get $gi))))
        (local.set $vi (f64x2.add (f64x2.mul (global.get $B2) (v128.load (i32.add (local.get $v0) (local.get $i))))
                                  (f64x2.mul (f64x2.mul (global.get $C2) (local.get $gi)) (local.get $gi))))
        (local.set $u (f64x2.div (f64x2.div (local.get $mi) (global.get $BC1))
                                 (f64x2.add (f64x2.div (f64x2.sqrt (local.get $vi)) (global.get $BC2S)) (global.get $EPS))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f64x2.add (v128.load (i32.add (local.get $p) (local.get $i))) (f64x2.mul (global.get $F) (local.get $u))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l))))

  ;; float32 Adam in float32, four elements (one f32x4) per iteration: m, v and u with the constants
  ;; rounded to float32, every operation rounded to float32 (as torch.optim.Adam computes on float32
  ;; tensors); then factor*u in float64 (each half promoted, multiplied, demoted: the rounding of
  ;; scaleByLearningRate's float32 store) and the sum rounded on store.
  (func (export "adam32") (param $n i32) (param $g i32) (param $m0 i32) (param $v0 i32) (param $m i32) (param $v i32) (param $p i32)
    (local $i i32) (local $end i32) (local $gi v128) (local $mi v128) (local $vi v128) (local $u v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $gi (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mi (f32x4.add (f32x4.mul (global.get $B1S) (v128.load (i32.add (local.get $m0) (local.get $i))))
                                  (f32x4.mul (global.get $C1S) (local.get $gi))))
        (local.set $vi (f32x4.add (f32x4.mul (global.get $B2S) (v128.load (i32.add (local.get $v0) (local.get $i))))
                                  (f32x4.mul (f32x4.mul (global.get $C2S) (local.get $gi)) (local.get $gi))))
        (local.set $u (f32x4.div (f32x4.div (local.get $mi) (global.get $BC1S))
                                 (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vi)) (global.get $BC2SS)) (global.get $EPSS))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
        ;; factor*u: lanes 0-1 and 2-3 through float64, demoted back into one f32x4
        (local.set $u
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.mul (global.get $F) (f64x2.promote_low_f32x4 (local.get $u))))
            (f32x4.demote_f64x2_zero (f64x2.mul (global.get $F) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $u) (local.get $u)))))))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $u)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l))))

  ;; ReLU over $bytes bytes (a multiple of 16) at $x, into $y: forward (y = relu(x)) when $g < 0,
  ;; else the derivative applied to the gradient at $g (y = x <= 0 ? 0 : g). $f64 picks the lane width.
  (func (export "relu") (param $bytes i32) (param $x i32) (param $g i32) (param $y i32) (param $f64 i32)
    (local $i i32) (local $xv v128) (local $mask v128)
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $bytes)))
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $mask
          (if (result v128) (local.get $f64)
            (then (f64x2.le (local.get $xv) (v128.const i64x2 0 0)))
            (else (f32x4.le (local.get $xv) (v128.const i64x2 0 0)))))
        (v128.store (i32.add (local.get $y) (local.get $i))
          (v128.andnot
            (if (result v128) (i32.lt_s (local.get $g) (i32.const 0))
              (then (local.get $xv))
              (else (v128.load (i32.add (local.get $g) (local.get $i)))))
            (local.get $mask)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l))))

  ;; Gradient reduction: g = a (+ b), added in float64 and rounded once to g's dtype on store, and the
  ;; running sum of squares sq + g0^2 + g1^2 + ... of the rounded values, in order, in float64
  ;; (returned; the caller chains chunks through $sq, so the whole sum keeps the sequential order of
  ;; kernels/reduce.ts's loops). $b < 0: one operand (a copy). One function per pair of dtypes
  ;; (sumsq<in><out>: the runtime sums float64 shard gradients into float32 or float64 ones; float32
  ;; into float32 for callers with float32 operands): a loop that branched on the dtypes, through a
  ;; load function, ran at half the speed of the JavaScript loop. Scalar: the sum of squares is one
  ;; dependency chain either way.
  (func (export "sumsq6432") (param $n i32) (param $a i32) (param $b i32) (param $g i32) (param $sq f64) (result f64)
    (local $i i32) (local $o i32) (local $end i32) (local $r f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $r (f64.load (i32.add (local.get $a) (local.get $i))))
        (if (i32.ge_s (local.get $b) (i32.const 0))
          (then (local.set $r (f64.add (local.get $r) (f64.load (i32.add (local.get $b) (local.get $i)))))))
        (local.set $r (f64.promote_f32 (f32.demote_f64 (local.get $r))))
        (f32.store (i32.add (local.get $g) (local.get $o)) (f32.demote_f64 (local.get $r)))
        (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $r) (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $l)))
    (local.get $sq))

  (func (export "sumsq6464") (param $n i32) (param $a i32) (param $b i32) (param $g i32) (param $sq f64) (result f64)
    (local $i i32) (local $o i32) (local $end i32) (local $r f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $r (f64.load (i32.add (local.get $a) (local.get $i))))
        (if (i32.ge_s (local.get $b) (i32.const 0))
          (then (local.set $r (f64.add (local.get $r) (f64.load (i32.add (local.get $b) (local.get $i)))))))
        (f64.store (i32.add (local.get $g) (local.get $o)) (local.get $r))
        (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $r) (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (br $l)))
    (local.get $sq))

  (func (export "sumsq3232") (param $n i32) (param $a i32) (param $b i32) (param $g i32) (param $sq f64) (result f64)
    (local $i i32) (local $o i32) (local $end i32) (local $r f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $r (f64.promote_f32 (f32.load (i32.add (local.get $a) (local.get $i)))))
        (if (i32.ge_s (local.get $b) (i32.const 0))
          (then (local.set $r (f64.add (local.get $r) (f64.promote_f32 (f32.load (i32.add (local.get $b) (local.get $i))))))))
        (local.set $r (f64.promote_f32 (f32.demote_f64 (local.get $r))))
        (f32.store (i32.add (local.get $g) (local.get $o)) (f32.demote_f64 (local.get $r)))
        (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $r) (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $l)))
    (local.get $sq))
)
