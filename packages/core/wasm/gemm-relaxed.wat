;; The fast mode's float32 GEMM kernel with relaxed-SIMD fused multiply-add (f32x4.relaxed_madd:
;; a * b + c, rounded once where the CPU has FMA). Used only where WebAssembly.validate accepts this
;; module (Node 20: --experimental-wasm-relaxed-simd), never required. It works on the main module's
;; memory and stores the first four rows of its tiles with the main module's store32.
;;
;; Its micro-tile is 5 x 8 (gemm.wat's macro32, multiply then add, is 4 x 8): ten f32x4
;; accumulators, two B vectors, the A vector of rows 0-3 and one broadcast — 15 of the 16 xmm
;; registers on x64 (V8 keeps xmm15 as scratch; it also hoists every load of a loop step ahead of
;; the arithmetic, so each loaded value takes a register for the whole step). Rows 0-3 of A are
;; one v128.load whose lanes are broadcast by shuffles, row 4 a v128.load32_splat. Ten independent
;; FMA chains cover the FMA latency better than eight (measured on Zen 2, kb = 256: 46.5 GFLOP/s
;; against 42 for 4 x 8; 6 x 8 and 4 x 12 need more registers than there are and spill, ~25).
;; The multiply-then-add kernel has no such tile: its products need a register more (4 x 8 stays).
;; Layouts (byte offsets in the memory):
;;   A at $pa: 5-row micro-panels, element (i, p) at [(i / 5) * 5 * kb + p * 5 + i mod 5]
;;   B at $pb: 8-column micro-panels, element (p, j) at [(j & ~7) * kb + p * 8 + (j & 7)]
;;   C at $pc: row-major with row stride ceil8(nb); ceil5(mb) rows are stored.
;; Each element of C is sum over p in order of a * b (fused), then one add of the old C: the tile
;; shape does not change any bit.
(module
  (import "gemm" "memory" (memory 1))
  (import "gemm" "store32" (func $store32
    (param i32 i32 i32 v128 v128 v128 v128 v128 v128 v128 v128)))
  (func (export "macro32")
    (param $pa i32) (param $pb i32) (param $pc i32)
    (param $mb i32) (param $nb i32) (param $kb i32) (param $first i32)
    (local $ir i32) (local $jr i32) (local $ia i32) (local $ib i32) (local $end i32)
    (local $ldc i32) (local $o i32)
    (local $c00 v128) (local $c04 v128) (local $c10 v128) (local $c14 v128)
    (local $c20 v128) (local $c24 v128) (local $c30 v128) (local $c34 v128)
    (local $c40 v128) (local $c44 v128)
    (local $b0 v128) (local $b4 v128) (local $a v128) (local $x v128)
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
            (local.set $c40 (v128.const i64x2 0 0)) (local.set $c44 (v128.const i64x2 0 0))
            ;; A micro-panel ir/5 (kb * 20 bytes, at ir * kb * 4), B micro-panel jr/8 (kb * 32 bytes)
            (local.set $ia (i32.add (local.get $pa) (i32.mul (i32.shl (local.get $ir) (i32.const 2)) (local.get $kb))))
            (local.set $ib (i32.add (local.get $pb) (i32.mul (i32.shl (local.get $jr) (i32.const 2)) (local.get $kb))))
            (local.set $end (i32.add (local.get $ia) (i32.mul (local.get $kb) (i32.const 20))))
            (loop $k
              (local.set $b0 (v128.load (local.get $ib)))
              (local.set $b4 (v128.load offset=16 (local.get $ib)))
              (local.set $a (v128.load (local.get $ia)))
              (local.set $x (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $a) (local.get $a)))
              (local.set $c00 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c00)))
              (local.set $c04 (f32x4.relaxed_madd (local.get $x) (local.get $b4) (local.get $c04)))
              (local.set $x (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $a) (local.get $a)))
              (local.set $c10 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c10)))
              (local.set $c14 (f32x4.relaxed_madd (local.get $x) (local.get $b4) (local.get $c14)))
              (local.set $x (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $a) (local.get $a)))
              (local.set $c20 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c20)))
              (local.set $c24 (f32x4.relaxed_madd (local.get $x) (local.get $b4) (local.get $c24)))
              (local.set $x (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $a) (local.get $a)))
              (local.set $c30 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c30)))
              (local.set $c34 (f32x4.relaxed_madd (local.get $x) (local.get $b4) (local.get $c34)))
              (local.set $x (v128.load32_splat offset=16 (local.get $ia)))
              (local.set $c40 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c40)))
              (local.set $c44 (f32x4.relaxed_madd (local.get $x) (local.get $b4) (local.get $c44)))
              (local.set $ia (i32.add (local.get $ia) (i32.const 20)))
              (local.set $ib (i32.add (local.get $ib) (i32.const 32)))
              (br_if $k (i32.lt_u (local.get $ia) (local.get $end))))
            (local.set $o (i32.add (local.get $pc)
              (i32.add (i32.mul (local.get $ir) (local.get $ldc)) (i32.shl (local.get $jr) (i32.const 2)))))
            (call $store32 (local.get $o) (local.get $ldc) (local.get $first)
              (local.get $c00) (local.get $c04) (local.get $c10) (local.get $c14)
              (local.get $c20) (local.get $c24) (local.get $c30) (local.get $c34))
            ;; row 4, as store32 does its rows: old C + sum unless first
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 2))))
            (if (i32.eqz (local.get $first))
              (then
                (local.set $c40 (f32x4.add (v128.load (local.get $o)) (local.get $c40)))
                (local.set $c44 (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c44)))))
            (v128.store (local.get $o) (local.get $c40))
            (v128.store offset=16 (local.get $o) (local.get $c44))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $cols)))
        (local.set $ir (i32.add (local.get $ir) (i32.const 5)))
        (br $rows)))))
