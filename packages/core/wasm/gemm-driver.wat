;; The fast kernel's whole float32 GEMM in WebAssembly: packing with SIMD, the macro-kernel over
;; every (jc, pc, ic) block, the C panel kept in this memory across k blocks. Assembled by wabt
;; (scripts/build-wasm.mjs). Instantiated twice on gemm.wat's memory: once with gemm.wat's macro32
;; (multiply, then add) and, where relaxed SIMD validates, once with gemm-relaxed.wat's (FMA).
;;
;; The caller (kernels/wasm.ts, wasmGemm32) has copied the operands into this memory, float32, row
;; by row with their stored row strides (byte addresses; all strides in bytes):
;;   A at $a, stored m x k (rows $lda apart), or k x m when $ta (A^T is read in place);
;;   B at $b, stored k x n (rows $ldb apart), or n x k when $tb.
;; Work areas: $pa (mc x kc floats: A block as $mr-row micro-panels), $pb (nc x kc floats: B block
;; as 8-column micro-panels), $pcp (ceil_mr(m) x nc floats: the C panel of columns [jc, jc + nb), row
;; stride ceil8(nb), rows of block ic at row ic). $mr is the macro32's tile height: 4 for gemm.wat's,
;; 5 for gemm-relaxed.wat's (layouts in their headers); mc is a multiple of it.
;; Result: C at $c, m x n row-major, dense (row stride n floats).
;;
;; Blocking is the caller's (kc, mc, nc: the same rule as the blockwise path of kernels/matmul.ts),
;; and each element of C is summed as there: within a k block over p in order (macro32), then added
;; to the sum of the previous k blocks (macro32 with first = 0). The bits are those of the blockwise
;; path and do not depend on how a caller splits C into blocks.
(module
  (import "gemm" "memory" (memory 1))
  (import "gemm" "macro32" (func $macro32 (param i32 i32 i32 i32 i32 i32 i32)))

  ;; Panels of $nr (4, 5 or 8) columns from rows that are contiguous along the panel: element (p, j)
  ;; at $src + p * $ld + j * 4 goes to $dst + (j - j mod nr) * kb * 4 + p * nr * 4 + (j mod nr) * 4,
  ;; for p < $kb, j < $nb; a ragged last panel is zero-padded. (B, or A stored transposed.)
  (func $packN (param $src i32) (param $ld i32) (param $kb i32) (param $nb i32) (param $dst i32) (param $nr i32)
    (local $jr i32) (local $w i32) (local $s i32) (local $d i32) (local $end i32) (local $t i32)
    (local.set $jr (i32.const 0))
    (loop $panels
      (local.set $w (select (local.get $nr) (i32.sub (local.get $nb) (local.get $jr))
        (i32.le_s (local.get $nr) (i32.sub (local.get $nb) (local.get $jr)))))
      (local.set $s (i32.add (local.get $src) (i32.shl (local.get $jr) (i32.const 2))))
      (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $jr) (local.get $kb)) (i32.const 2))))
      ;; one panel occupies kb * nr floats
      (local.set $end (i32.add (local.get $d) (i32.shl (i32.mul (local.get $kb) (local.get $nr)) (i32.const 2))))
      (if (i32.eq (local.get $w) (i32.const 8))
        (then (loop $p8
          (v128.store (local.get $d) (v128.load (local.get $s)))
          (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $ld)))
          (local.set $d (i32.add (local.get $d) (i32.const 32)))
          (br_if $p8 (i32.lt_u (local.get $d) (local.get $end)))))
      (else (if (i32.and (i32.eq (local.get $w) (i32.const 5)) (i32.eq (local.get $nr) (i32.const 5)))
        (then (loop $p5
          (v128.store (local.get $d) (v128.load (local.get $s)))
          (f32.store offset=16 (local.get $d) (f32.load offset=16 (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $ld)))
          (local.set $d (i32.add (local.get $d) (i32.const 20)))
          (br_if $p5 (i32.lt_u (local.get $d) (local.get $end)))))
      (else (if (i32.eq (local.get $w) (local.get $nr))
        (then (loop $p4
          (v128.store (local.get $d) (v128.load (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $ld)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $p4 (i32.lt_u (local.get $d) (local.get $end)))))
      (else (loop $pe
          ;; ragged panel: w valid columns, then zeros up to nr
          (local.set $t (i32.const 0))
          (loop $cols
            (f32.store (i32.add (local.get $d) (i32.shl (local.get $t) (i32.const 2)))
              (if (result f32) (i32.lt_s (local.get $t) (local.get $w))
                (then (f32.load (i32.add (local.get $s) (i32.shl (local.get $t) (i32.const 2)))))
                (else (f32.const 0))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br_if $cols (i32.lt_s (local.get $t) (local.get $nr))))
          (local.set $s (i32.add (local.get $s) (local.get $ld)))
          (local.set $d (i32.add (local.get $d) (i32.shl (local.get $nr) (i32.const 2))))
          (br_if $pe (i32.lt_u (local.get $d) (local.get $end))))))))))
      (local.set $jr (i32.add (local.get $jr) (local.get $nr)))
      (br_if $panels (i32.lt_s (local.get $jr) (local.get $nb)))))

  ;; Four stored rows ($r, $r + ld, $r + 2 ld, $r + 3 ld; element p at + p * 4) into four columns of
  ;; a panel at $d whose rows are $stride bytes apart: $d + p * stride + i * 4 = row i, element p.
  ;; Four p at a time as a 4 x 4 transpose in registers (i8x16.shuffle), the last kb mod 4 scalar.
  (func $transpose4 (param $r i32) (param $ld i32) (param $kb i32) (param $d i32) (param $stride i32)
    (local $p i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $i i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r1 (i32.add (local.get $r) (local.get $ld)))
    (local.set $r2 (i32.add (local.get $r1) (local.get $ld)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $ld)))
    (local.set $p (i32.const 0))
    (block $tail
      (loop $quads
        (br_if $tail (i32.gt_s (i32.add (local.get $p) (i32.const 4)) (local.get $kb)))
        (local.set $x0 (v128.load (i32.add (local.get $r) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $x1 (v128.load (i32.add (local.get $r1) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $x2 (v128.load (i32.add (local.get $r2) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $x3 (v128.load (i32.add (local.get $r3) (i32.shl (local.get $p) (i32.const 2)))))
        ;; t0 = [x0.0 x1.0 x0.1 x1.1], t1 = [x0.2 x1.2 x0.3 x1.3], t2, t3 likewise for x2, x3
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x2) (local.get $x3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x2) (local.get $x3)))
        ;; output row q = [x0.q x1.q x2.q x3.q]: the halves of t0/t2 (q = 0, 1) and t1/t3 (q = 2, 3)
        (v128.store (local.get $d)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (local.set $d (i32.add (local.get $d) (local.get $stride)))
        (v128.store (local.get $d)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (local.set $d (i32.add (local.get $d) (local.get $stride)))
        (v128.store (local.get $d)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (local.set $d (i32.add (local.get $d) (local.get $stride)))
        (v128.store (local.get $d)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $d (i32.add (local.get $d) (local.get $stride)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $quads)))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_s (local.get $p) (local.get $kb)))
        (f32.store (local.get $d) (f32.load (i32.add (local.get $r) (i32.shl (local.get $p) (i32.const 2)))))
        (f32.store offset=4 (local.get $d) (f32.load (i32.add (local.get $r1) (i32.shl (local.get $p) (i32.const 2)))))
        (f32.store offset=8 (local.get $d) (f32.load (i32.add (local.get $r2) (i32.shl (local.get $p) (i32.const 2)))))
        (f32.store offset=12 (local.get $d) (f32.load (i32.add (local.get $r3) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $d (i32.add (local.get $d) (local.get $stride)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rest))))

  ;; Panels of $nr (4, 5 or 8) columns from rows that run across the panel: element (p, j) at
  ;; $src + j * $ld + p * 4, same destination layout as $packN. (A, or B stored transposed.)
  (func $packT (param $src i32) (param $ld i32) (param $kb i32) (param $nb i32) (param $dst i32) (param $nr i32)
    (local $jr i32) (local $r i32) (local $d i32) (local $t i32) (local $p i32) (local $e i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $nr) (i32.const 2)))
    (local.set $jr (i32.const 0))
    (loop $panels
      (local.set $r (i32.add (local.get $src) (i32.mul (local.get $jr) (local.get $ld))))
      (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $jr) (local.get $kb)) (i32.const 2))))
      (if (i32.ge_s (i32.sub (local.get $nb) (local.get $jr)) (local.get $nr))
        (then
          ;; full panel: groups of four stored rows, then (nr = 5) the fifth row element by element
          (local.set $t (i32.const 0))
          (loop $groups
            (call $transpose4 (i32.add (local.get $r) (i32.mul (local.get $t) (local.get $ld)))
              (local.get $ld) (local.get $kb)
              (i32.add (local.get $d) (i32.shl (local.get $t) (i32.const 2))) (local.get $stride))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (br_if $groups (i32.le_s (i32.add (local.get $t) (i32.const 4)) (local.get $nr))))
          (if (i32.lt_s (local.get $t) (local.get $nr))
            (then
              (local.set $r (i32.add (local.get $r) (i32.mul (local.get $t) (local.get $ld))))
              (local.set $e (i32.add (local.get $d) (i32.shl (local.get $t) (i32.const 2))))
              (local.set $p (i32.const 0))
              (loop $ps
                (f32.store (local.get $e) (f32.load (i32.add (local.get $r) (i32.shl (local.get $p) (i32.const 2)))))
                (local.set $e (i32.add (local.get $e) (local.get $stride)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $ps (i32.lt_s (local.get $p) (local.get $kb)))))))
        (else
          ;; ragged last panel: nb - jr stored rows, zero columns up to nr
          (local.set $t (i32.const 0))
          (loop $cols
            (local.set $e (i32.add (local.get $d) (i32.shl (local.get $t) (i32.const 2))))
            (local.set $p (i32.const 0))
            (loop $ps
              (f32.store (local.get $e)
                (if (result f32) (i32.lt_s (i32.add (local.get $jr) (local.get $t)) (local.get $nb))
                  (then (f32.load (i32.add (i32.add (local.get $r) (i32.mul (local.get $t) (local.get $ld)))
                    (i32.shl (local.get $p) (i32.const 2)))))
                  (else (f32.const 0))))
              (local.set $e (i32.add (local.get $e) (local.get $stride)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $ps (i32.lt_s (local.get $p) (local.get $kb))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br_if $cols (i32.lt_s (local.get $t) (local.get $nr))))))
      (local.set $jr (i32.add (local.get $jr) (local.get $nr)))
      (br_if $panels (i32.lt_s (local.get $jr) (local.get $nb)))))

  ;; C = op(A) . op(B), m x n x k (all >= 1), layouts in the header. Loop order jc -> pc -> ic as the
  ;; blockwise path: a B block is packed once per (jc, pc), an A block per (jc, pc, ic).
  (func (export "gemm32")
    (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $lda i32) (param $ta i32)
    (param $b i32) (param $ldb i32) (param $tb i32)
    (param $c i32) (param $pa i32) (param $pb i32) (param $pcp i32)
    (param $kc i32) (param $mc i32) (param $nc i32) (param $mr i32)
    (local $jc i32) (local $pc i32) (local $ic i32) (local $nb i32) (local $kb i32) (local $mb i32)
    (local $ldcp i32) (local $i i32)
    (local.set $jc (i32.const 0))
    (loop $jcs
      (local.set $nb (select (local.get $nc) (i32.sub (local.get $n) (local.get $jc))
        (i32.le_s (local.get $nc) (i32.sub (local.get $n) (local.get $jc)))))
      ;; the C panel's row stride in bytes: ceil8(nb) floats, as macro32 stores it
      (local.set $ldcp (i32.shl (i32.and (i32.add (local.get $nb) (i32.const 7)) (i32.const -8)) (i32.const 2)))
      (local.set $pc (i32.const 0))
      (loop $pcs
        (local.set $kb (select (local.get $kc) (i32.sub (local.get $k) (local.get $pc))
          (i32.le_s (local.get $kc) (i32.sub (local.get $k) (local.get $pc)))))
        (if (local.get $tb)
          (then (call $packT (i32.add (i32.add (local.get $b) (i32.mul (local.get $jc) (local.get $ldb))) (i32.shl (local.get $pc) (i32.const 2)))
            (local.get $ldb) (local.get $kb) (local.get $nb) (local.get $pb) (i32.const 8)))
          (else (call $packN (i32.add (i32.add (local.get $b) (i32.mul (local.get $pc) (local.get $ldb))) (i32.shl (local.get $jc) (i32.const 2)))
            (local.get $ldb) (local.get $kb) (local.get $nb) (local.get $pb) (i32.const 8))))
        (local.set $ic (i32.const 0))
        (loop $ics
          (local.set $mb (select (local.get $mc) (i32.sub (local.get $m) (local.get $ic))
            (i32.le_s (local.get $mc) (i32.sub (local.get $m) (local.get $ic)))))
          (if (local.get $ta)
            (then (call $packN (i32.add (i32.add (local.get $a) (i32.mul (local.get $pc) (local.get $lda))) (i32.shl (local.get $ic) (i32.const 2)))
              (local.get $lda) (local.get $kb) (local.get $mb) (local.get $pa) (local.get $mr)))
            (else (call $packT (i32.add (i32.add (local.get $a) (i32.mul (local.get $ic) (local.get $lda))) (i32.shl (local.get $pc) (i32.const 2)))
              (local.get $lda) (local.get $kb) (local.get $mb) (local.get $pa) (local.get $mr))))
          (call $macro32 (local.get $pa) (local.get $pb) (i32.add (local.get $pcp) (i32.mul (local.get $ic) (local.get $ldcp)))
            (local.get $mb) (local.get $nb) (local.get $kb) (i32.eqz (local.get $pc)))
          (local.set $ic (i32.add (local.get $ic) (local.get $mc)))
          (br_if $ics (i32.lt_s (local.get $ic) (local.get $m))))
        (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
        (br_if $pcs (i32.lt_s (local.get $pc) (local.get $k))))
      ;; the panel's valid nb columns of each row into C
      (local.set $i (i32.const 0))
      (loop $rows
        (memory.copy
          (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $jc)) (i32.const 2)))
          (i32.add (local.get $pcp) (i32.mul (local.get $i) (local.get $ldcp)))
          (i32.shl (local.get $nb) (i32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $i) (local.get $m))))
      (local.set $jc (i32.add (local.get $jc) (local.get $nc)))
      (br_if $jcs (i32.lt_s (local.get $jc) (local.get $n)))))
)
