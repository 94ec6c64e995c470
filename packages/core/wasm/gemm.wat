;; GEMM macro-kernel in WebAssembly SIMD (128-bit, f64x2), assembled by wabt (scripts/build-wasm.mjs).
;;
;; C block [mb x nb] = (first ? 0 : C block) + packed A block . packed B block, all in this module's
;; memory as float64 (byte offsets):
;;   A at $pa: 4-row micro-panels, element (i, p) at [(i & ~3) * kb + p * 4 + (i & 3)]
;;   B at $pb: 4-column micro-panels, element (p, j) at [(j & ~3) * kb + p * 4 + (j & 3)]
;;   C at $pc: row-major with row stride ceil4(nb) (full 4 x 4 tiles are stored; the caller copies
;;   the valid part out).
;; mb and nb are padded to multiples of 4 by the packing (zero rows/columns). Each element of C is
;; accumulated exactly as the JavaScript macro-kernel does (sequential over p, multiply then add, no
;; fused multiply-add, then one add of the old C), so both kernels give the same bits.
;;
;; "macro32" is the fast mode's float32 kernel (opt-in, see kernels/wasm.ts): float32 panels and C, a
;; 4 x 8 micro-tile in eight f32x4 registers (twice the lanes of f64x2), accumulated in float32 —
;; not the JavaScript kernel's bits, but the same bits on every thread and for every split of C:
;;   A at $pa: 4-row micro-panels, element (i, p) at [(i & ~3) * kb + p * 4 + (i & 3)]
;;   B at $pb: 8-column micro-panels, element (p, j) at [(j & ~7) * kb + p * 8 + (j & 7)]
;;   C at $pc: row-major with row stride ceil8(nb).
;; Each element of C is sum over p in order of a * b (multiply, then add), then one add of the old C.
;; 4 x 8 is the largest tile that fits the registers here: eight accumulators, two B vectors, four
;; A broadcasts (V8 loads all of a k step's operands before its arithmetic) and one product
;; temporary make 15 of x64's 16 xmm registers, V8 keeping the 16th as scratch; 6 x 8, 4 x 12,
;; 5 x 8, 3 x 12 and a k loop unrolled by 2 all measured slower (spills). gemm-relaxed.wat has the
;; kernel with relaxed-SIMD fused multiply-add, which needs no temporary: a 5 x 8 tile on 5-row A
;; panels, with the same sums (see its header).
(module
  (memory (export "memory") 1)
  (func (export "macro")
    (param $pa i32) (param $pb i32) (param $pc i32)
    (param $mb i32) (param $nb i32) (param $kb i32) (param $first i32)
    (local $ir i32) (local $jr i32) (local $ia i32) (local $ib i32) (local $end i32)
    (local $ldc i32) (local $panel i32) (local $o i32)
    (local $c00 v128) (local $c02 v128) (local $c10 v128) (local $c12 v128)
    (local $c20 v128) (local $c22 v128) (local $c30 v128) (local $c32 v128)
    (local $b0 v128) (local $b2 v128) (local $x v128)
    ;; row stride of C and the size of one micro-panel, in bytes
    (local.set $ldc (i32.shl (i32.and (i32.add (local.get $nb) (i32.const 3)) (i32.const -4)) (i32.const 3)))
    (local.set $panel (i32.shl (local.get $kb) (i32.const 5)))
    (local.set $ir (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $ir) (local.get $mb)))
        (local.set $jr (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $jr) (local.get $nb)))
            (local.set $c00 (v128.const i64x2 0 0)) (local.set $c02 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0)) (local.set $c12 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0)) (local.set $c22 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0)) (local.set $c32 (v128.const i64x2 0 0))
            (local.set $ia (i32.add (local.get $pa) (i32.mul (i32.shr_u (local.get $ir) (i32.const 2)) (local.get $panel))))
            (local.set $ib (i32.add (local.get $pb) (i32.mul (i32.shr_u (local.get $jr) (i32.const 2)) (local.get $panel))))
            (local.set $end (i32.add (local.get $ia) (local.get $panel)))
            (loop $k
              (local.set $b0 (v128.load (local.get $ib)))
              (local.set $b2 (v128.load offset=16 (local.get $ib)))
              (local.set $x (v128.load64_splat (local.get $ia)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c02 (f64x2.add (local.get $c02) (f64x2.mul (local.get $x) (local.get $b2))))
              (local.set $x (v128.load64_splat offset=8 (local.get $ia)))
              (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c12 (f64x2.add (local.get $c12) (f64x2.mul (local.get $x) (local.get $b2))))
              (local.set $x (v128.load64_splat offset=16 (local.get $ia)))
              (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c22 (f64x2.add (local.get $c22) (f64x2.mul (local.get $x) (local.get $b2))))
              (local.set $x (v128.load64_splat offset=24 (local.get $ia)))
              (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c32 (f64x2.add (local.get $c32) (f64x2.mul (local.get $x) (local.get $b2))))
              (local.set $ia (i32.add (local.get $ia) (i32.const 32)))
              (local.set $ib (i32.add (local.get $ib) (i32.const 32)))
              (br_if $k (i32.lt_u (local.get $ia) (local.get $end))))
            (local.set $o (i32.add (local.get $pc)
              (i32.add (i32.mul (local.get $ir) (local.get $ldc)) (i32.shl (local.get $jr) (i32.const 3)))))
            (if (i32.eqz (local.get $first))
              (then
                (local.set $c00 (f64x2.add (v128.load (local.get $o)) (local.get $c00)))
                (local.set $c02 (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $c02)))
                (local.set $c10 (f64x2.add (v128.load (i32.add (local.get $o) (local.get $ldc))) (local.get $c10)))
                (local.set $c12 (f64x2.add (v128.load offset=16 (i32.add (local.get $o) (local.get $ldc))) (local.get $c12)))
                (local.set $c20 (f64x2.add (v128.load (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 1)))) (local.get $c20)))
                (local.set $c22 (f64x2.add (v128.load offset=16 (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 1)))) (local.get $c22)))
                (local.set $c30 (f64x2.add (v128.load (i32.add (local.get $o) (i32.mul (local.get $ldc) (i32.const 3)))) (local.get $c30)))
                (local.set $c32 (f64x2.add (v128.load offset=16 (i32.add (local.get $o) (i32.mul (local.get $ldc) (i32.const 3)))) (local.get $c32)))))
            (v128.store (local.get $o) (local.get $c00))
            (v128.store offset=16 (local.get $o) (local.get $c02))
            (local.set $o (i32.add (local.get $o) (local.get $ldc)))
            (v128.store (local.get $o) (local.get $c10))
            (v128.store offset=16 (local.get $o) (local.get $c12))
            (local.set $o (i32.add (local.get $o) (local.get $ldc)))
            (v128.store (local.get $o) (local.get $c20))
            (v128.store offset=16 (local.get $o) (local.get $c22))
            (local.set $o (i32.add (local.get $o) (local.get $ldc)))
            (v128.store (local.get $o) (local.get $c30))
            (v128.store offset=16 (local.get $o) (local.get $c32))
            (local.set $jr (i32.add (local.get $jr) (i32.const 4)))
            (br $cols)))
        (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
        (br $rows))))
  (func (export "macro32")
    (param $pa i32) (param $pb i32) (param $pc i32)
    (param $mb i32) (param $nb i32) (param $kb i32) (param $first i32)
    (local $ir i32) (local $jr i32) (local $ia i32) (local $ib i32) (local $end i32)
    (local $ldc i32) (local $o i32)
    (local $c00 v128) (local $c04 v128) (local $c10 v128) (local $c14 v128)
    (local $c20 v128) (local $c24 v128) (local $c30 v128) (local $c34 v128)
    (local $b0 v128) (local $b4 v128) (local $x v128)
    ;; row stride of C in bytes (ceil8(nb) floats)
    (local.set $ldc (i32.shl (i32.and (i32.add (local.get $nb) (i32.const 7)) (i32.const -8)) (i32.const 2)))
    (local.set $ir (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $ir) (local.get $mb)))
        (local.set $jr (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $jr) (local.get $nb)))
            (local.set $c00 (v128.const i64x2 0 0)) (local.set $c04 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0)) (local.set $c14 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0)) (local.set $c24 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0)) (local.set $c34 (v128.const i64x2 0 0))
            ;; A micro-panel ir/4 (kb * 16 bytes), B micro-panel jr/8 (kb * 32 bytes)
            (local.set $ia (i32.add (local.get $pa) (i32.mul (i32.shl (local.get $ir) (i32.const 2)) (local.get $kb))))
            (local.set $ib (i32.add (local.get $pb) (i32.mul (i32.shl (local.get $jr) (i32.const 2)) (local.get $kb))))
            (local.set $end (i32.add (local.get $ia) (i32.shl (local.get $kb) (i32.const 4))))
            (loop $k
              (local.set $b0 (v128.load (local.get $ib)))
              (local.set $b4 (v128.load offset=16 (local.get $ib)))
              (local.set $x (v128.load32_splat (local.get $ia)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c04 (f32x4.add (local.get $c04) (f32x4.mul (local.get $x) (local.get $b4))))
              (local.set $x (v128.load32_splat offset=4 (local.get $ia)))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c14 (f32x4.add (local.get $c14) (f32x4.mul (local.get $x) (local.get $b4))))
              (local.set $x (v128.load32_splat offset=8 (local.get $ia)))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c24 (f32x4.add (local.get $c24) (f32x4.mul (local.get $x) (local.get $b4))))
              (local.set $x (v128.load32_splat offset=12 (local.get $ia)))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c34 (f32x4.add (local.get $c34) (f32x4.mul (local.get $x) (local.get $b4))))
              (local.set $ia (i32.add (local.get $ia) (i32.const 16)))
              (local.set $ib (i32.add (local.get $ib) (i32.const 32)))
              (br_if $k (i32.lt_u (local.get $ia) (local.get $end))))
            (local.set $o (i32.add (local.get $pc)
              (i32.add (i32.mul (local.get $ir) (local.get $ldc)) (i32.shl (local.get $jr) (i32.const 2)))))
            (call $store32 (local.get $o) (local.get $ldc) (local.get $first)
              (local.get $c00) (local.get $c04) (local.get $c10) (local.get $c14)
              (local.get $c20) (local.get $c24) (local.get $c30) (local.get $c34))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $cols)))
        (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
        (br $rows))))

  ;; Stores a 4 x 8 float32 tile at $o (row stride $ldc bytes), adding the old C unless $first.
  (func $store32 (export "store32")
    (param $o i32) (param $ldc i32) (param $first i32)
    (param $c00 v128) (param $c04 v128) (param $c10 v128) (param $c14 v128)
    (param $c20 v128) (param $c24 v128) (param $c30 v128) (param $c34 v128)
    (if (i32.eqz (local.get $first))
      (then
        (local.set $c00 (f32x4.add (v128.load (local.get $o)) (local.get $c00)))
        (local.set $c04 (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c04)))
        (local.set $c10 (f32x4.add (v128.load (i32.add (local.get $o) (local.get $ldc))) (local.get $c10)))
        (local.set $c14 (f32x4.add (v128.load offset=16 (i32.add (local.get $o) (local.get $ldc))) (local.get $c14)))
        (local.set $c20 (f32x4.add (v128.load (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 1)))) (local.get $c20)))
        (local.set $c24 (f32x4.add (v128.load offset=16 (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 1)))) (local.get $c24)))
        (local.set $c30 (f32x4.add (v128.load (i32.add (local.get $o) (i32.mul (local.get $ldc) (i32.const 3)))) (local.get $c30)))
        (local.set $c34 (f32x4.add (v128.load offset=16 (i32.add (local.get $o) (i32.mul (local.get $ldc) (i32.const 3)))) (local.get $c34)))))
    (v128.store (local.get $o) (local.get $c00))
    (v128.store offset=16 (local.get $o) (local.get $c04))
    (local.set $o (i32.add (local.get $o) (local.get $ldc)))
    (v128.store (local.get $o) (local.get $c10))
    (v128.store offset=16 (local.get $o) (local.get $c14))
    (local.set $o (i32.add (local.get $o) (local.get $ldc)))
    (v128.store (local.get $o) (local.get $c20))
    (v128.store offset=16 (local.get $o) (local.get $c24))
    (local.set $o (i32.add (local.get $o) (local.get $ldc)))
    (v128.store (local.get $o) (local.get $c30))
    (v128.store offset=16 (local.get $o) (local.get $c34)))
)
