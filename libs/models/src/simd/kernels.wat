;; foldwise's dense-training kernels: float32, row-major, WebAssembly SIMD (f32x4).
;; Every pointer is a byte offset into the instance's memory; every size counts elements.
;; Compiled at run time from this text by wabt (see ./kernels.ts); kernels.test.ts checks each one against plain loops.
(module
  (memory (export "memory") 1)

  ;; p[0..n) = 0
  (func $zero (export "zero") (param $n i32) (param $p i32)
    (memory.fill (local.get $p) (i32.const 0) (i32.shl (local.get $n) (i32.const 2))))

  ;; The general product behind mm and mmTN: C[R×N] = Σ_q A(r, q) · B[q, :], where A(r, q) lies at
  ;; A + 4·(r·aRs + q·aQs) and B is Q×N. Register-blocked: 4 rows × 8 columns at a time (8 accumulators),
  ;; then 4 rows × 4 columns, then single values; leftover rows one at a time.
  (func $gemm (param $R i32) (param $Q i32) (param $N i32) (param $A i32) (param $aRs i32) (param $aQs i32) (param $B i32) (param $C i32)
    (local $r i32) (local $j i32) (local $q i32) (local $rows i32) (local $rr i32)
    (local $pa i32) (local $pb i32) (local $rowN i32) (local $ra i32) (local $qa i32) (local $c i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $s f32)
    (local.set $rowN (i32.shl (local.get $N) (i32.const 2)))
    (local.set $ra (i32.shl (local.get $aRs) (i32.const 2)))
    (local.set $qa (i32.shl (local.get $aQs) (i32.const 2)))
    (block $rdone
      (loop $r_
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $rows (select (i32.const 4) (i32.const 1) (i32.le_u (i32.add (local.get $r) (i32.const 4)) (local.get $R))))
        (local.set $j (i32.const 0))
        (if (i32.eq (local.get $rows) (i32.const 4))
          (then
            ;; 4 rows × 8 columns
            (block $j8done
              (loop $j8
                (br_if $j8done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
                (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
                (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
                (local.set $pa (i32.add (local.get $A) (i32.mul (local.get $r) (local.get $ra))))
                (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $q (i32.const 0))
                (block $qdone
                  (loop $q_
                    (br_if $qdone (i32.ge_u (local.get $q) (local.get $Q)))
                    (local.set $b0 (v128.load (local.get $pb)))
                    (local.set $b1 (v128.load offset=16 (local.get $pb)))
                    (local.set $a0 (v128.load32_splat (local.get $pa)))
                    (local.set $a1 (v128.load32_splat (i32.add (local.get $pa) (local.get $ra))))
                    (local.set $a2 (v128.load32_splat (i32.add (local.get $pa) (i32.shl (local.get $ra) (i32.const 1)))))
                    (local.set $a3 (v128.load32_splat (i32.add (local.get $pa) (i32.mul (local.get $ra) (i32.const 3)))))
                    (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
                    (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
                    (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
                    (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
                    (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $b0))))
                    (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $b1))))
                    (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $b0))))
                    (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $b1))))
                    (local.set $pa (i32.add (local.get $pa) (local.get $qa)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $rowN)))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (br $q_)))
                (local.set $c (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $N)) (local.get $j)) (i32.const 2))))
                (v128.store (local.get $c) (local.get $c00))
                (v128.store offset=16 (local.get $c) (local.get $c01))
                (local.set $c (i32.add (local.get $c) (local.get $rowN)))
                (v128.store (local.get $c) (local.get $c10))
                (v128.store offset=16 (local.get $c) (local.get $c11))
                (local.set $c (i32.add (local.get $c) (local.get $rowN)))
                (v128.store (local.get $c) (local.get $c20))
                (v128.store offset=16 (local.get $c) (local.get $c21))
                (local.set $c (i32.add (local.get $c) (local.get $rowN)))
                (v128.store (local.get $c) (local.get $c30))
                (v128.store offset=16 (local.get $c) (local.get $c31))
                (local.set $j (i32.add (local.get $j) (i32.const 8)))
                (br $j8)))
            ;; 4 rows × 4 columns
            (block $j4done
              (loop $j4
                (br_if $j4done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $N)))
                (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c10 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c30 (v128.const i32x4 0 0 0 0))
                (local.set $pa (i32.add (local.get $A) (i32.mul (local.get $r) (local.get $ra))))
                (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $q (i32.const 0))
                (block $qdone4
                  (loop $q4
                    (br_if $qdone4 (i32.ge_u (local.get $q) (local.get $Q)))
                    (local.set $b0 (v128.load (local.get $pb)))
                    (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $pa)) (local.get $b0))))
                    (local.set $c10 (f32x4.add (local.get $c10)
                      (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $ra))) (local.get $b0))))
                    (local.set $c20 (f32x4.add (local.get $c20)
                      (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (i32.shl (local.get $ra) (i32.const 1)))) (local.get $b0))))
                    (local.set $c30 (f32x4.add (local.get $c30)
                      (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (i32.mul (local.get $ra) (i32.const 3)))) (local.get $b0))))
                    (local.set $pa (i32.add (local.get $pa) (local.get $qa)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $rowN)))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (br $q4)))
                (local.set $c (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $N)) (local.get $j)) (i32.const 2))))
                (v128.store (local.get $c) (local.get $c00))
                (local.set $c (i32.add (local.get $c) (local.get $rowN)))
                (v128.store (local.get $c) (local.get $c10))
                (local.set $c (i32.add (local.get $c) (local.get $rowN)))
                (v128.store (local.get $c) (local.get $c20))
                (local.set $c (i32.add (local.get $c) (local.get $rowN)))
                (v128.store (local.get $c) (local.get $c30))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $j4)))))
        ;; what is left of these rows: one row at a time, 4 columns at a time, then single columns
        (local.set $rr (i32.const 0))
        (block $rrdone
          (loop $rr_
            (br_if $rrdone (i32.ge_u (local.get $rr) (local.get $rows)))
            (local.set $c (local.get $j))
            (block $v1done
              (loop $v1
                (br_if $v1done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $N)))
                (local.set $c00 (v128.const i32x4 0 0 0 0))
                (local.set $pa (i32.add (local.get $A) (i32.mul (i32.add (local.get $r) (local.get $rr)) (local.get $ra))))
                (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $c) (i32.const 2))))
                (local.set $q (i32.const 0))
                (block $qd1
                  (loop $q1
                    (br_if $qd1 (i32.ge_u (local.get $q) (local.get $Q)))
                    (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $pa)) (v128.load (local.get $pb)))))
                    (local.set $pa (i32.add (local.get $pa) (local.get $qa)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $rowN)))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (br $q1)))
                (v128.store (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (i32.add (local.get $r) (local.get $rr)) (local.get $N)) (local.get $c)) (i32.const 2)))
                  (local.get $c00))
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (br $v1)))
            (block $s1done
              (loop $s1
                (br_if $s1done (i32.ge_u (local.get $c) (local.get $N)))
                (local.set $s (f32.const 0))
                (local.set $pa (i32.add (local.get $A) (i32.mul (i32.add (local.get $r) (local.get $rr)) (local.get $ra))))
                (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $c) (i32.const 2))))
                (local.set $q (i32.const 0))
                (block $qs
                  (loop $qs_
                    (br_if $qs (i32.ge_u (local.get $q) (local.get $Q)))
                    (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
                    (local.set $pa (i32.add (local.get $pa) (local.get $qa)))
                    (local.set $pb (i32.add (local.get $pb) (local.get $rowN)))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (br $qs_)))
                (f32.store (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (i32.add (local.get $r) (local.get $rr)) (local.get $N)) (local.get $c)) (i32.const 2)))
                  (local.get $s))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $s1)))
            (local.set $rr (i32.add (local.get $rr) (i32.const 1)))
            (br $rr_)))
        (local.set $r (i32.add (local.get $r) (local.get $rows)))
        (br $r_))))

  ;; C[M×N] = A[M×K] · B[K×N]
  (func (export "mm") (param $M i32) (param $K i32) (param $N i32) (param $A i32) (param $B i32) (param $C i32)
    (call $gemm (local.get $M) (local.get $K) (local.get $N) (local.get $A) (local.get $K) (i32.const 1) (local.get $B) (local.get $C)))

  ;; C[K×N] = A[M×K]ᵀ · B[M×N]
  (func (export "mmTN") (param $M i32) (param $K i32) (param $N i32) (param $A i32) (param $B i32) (param $C i32)
    (call $gemm (local.get $K) (local.get $M) (local.get $N) (local.get $A) (i32.const 1) (local.get $K) (local.get $B) (local.get $C)))

  ;; Adam: m += c1·(g − m); v += c2·(g² − v); w −= lrt · m / (√v + eps), over n values
  (func (export "adam") (param $n i32) (param $W i32) (param $G i32) (param $Mo i32) (param $V i32)
    (param $lrt f32) (param $c1 f32) (param $c2 f32) (param $eps f32)
    (local $i i32) (local $vn i32) (local $g v128) (local $m v128) (local $v v128)
    (local $lv v128) (local $c1v v128) (local $c2v v128) (local $ev v128) (local $off i32)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $lv (f32x4.splat (local.get $lrt)))
    (local.set $c1v (f32x4.splat (local.get $c1)))
    (local.set $c2v (f32x4.splat (local.get $c2)))
    (local.set $ev (f32x4.splat (local.get $eps)))
    (local.set $vn (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $v_
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vn)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $g (v128.load (i32.add (local.get $G) (local.get $off))))
        (local.set $m (v128.load (i32.add (local.get $Mo) (local.get $off))))
        (local.set $v (v128.load (i32.add (local.get $V) (local.get $off))))
        (local.set $m (f32x4.add (local.get $m) (f32x4.mul (local.get $c1v) (f32x4.sub (local.get $g) (local.get $m)))))
        (local.set $v (f32x4.add (local.get $v)
          (f32x4.mul (local.get $c2v) (f32x4.sub (f32x4.mul (local.get $g) (local.get $g)) (local.get $v)))))
        (v128.store (i32.add (local.get $Mo) (local.get $off)) (local.get $m))
        (v128.store (i32.add (local.get $V) (local.get $off)) (local.get $v))
        (v128.store (i32.add (local.get $W) (local.get $off))
          (f32x4.sub (v128.load (i32.add (local.get $W) (local.get $off)))
            (f32x4.mul (local.get $lv) (f32x4.div (local.get $m) (f32x4.add (f32x4.sqrt (local.get $v)) (local.get $ev))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $v_)))
    (block $sdone
      (loop $s_
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $G) (local.get $off))))
        (local.set $ms (f32.load (i32.add (local.get $Mo) (local.get $off))))
        (local.set $vs (f32.load (i32.add (local.get $V) (local.get $off))))
        (local.set $ms (f32.add (local.get $ms) (f32.mul (local.get $c1) (f32.sub (local.get $gs) (local.get $ms)))))
        (local.set $vs (f32.add (local.get $vs)
          (f32.mul (local.get $c2) (f32.sub (f32.mul (local.get $gs) (local.get $gs)) (local.get $vs)))))
        (f32.store (i32.add (local.get $Mo) (local.get $off)) (local.get $ms))
        (f32.store (i32.add (local.get $V) (local.get $off)) (local.get $vs))
        (f32.store (i32.add (local.get $W) (local.get $off))
          (f32.sub (f32.load (i32.add (local.get $W) (local.get $off)))
            (f32.mul (local.get $lrt) (f32.div (local.get $ms) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $s_))))

  ;; SGD with momentum: a = mu·a + g; w −= lr · a, over n values
  (func (export "sgd") (param $n i32) (param $W i32) (param $G i32) (param $A i32) (param $lr f32) (param $mu f32)
    (local $i i32) (local $vn i32) (local $off i32) (local $a v128) (local $lv v128) (local $mv v128) (local $as f32)
    (local.set $lv (f32x4.splat (local.get $lr)))
    (local.set $mv (f32x4.splat (local.get $mu)))
    (local.set $vn (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $v_
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vn)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $a (f32x4.add (f32x4.mul (local.get $mv) (v128.load (i32.add (local.get $A) (local.get $off))))
          (v128.load (i32.add (local.get $G) (local.get $off)))))
        (v128.store (i32.add (local.get $A) (local.get $off)) (local.get $a))
        (v128.store (i32.add (local.get $W) (local.get $off))
          (f32x4.sub (v128.load (i32.add (local.get $W) (local.get $off))) (f32x4.mul (local.get $lv) (local.get $a))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $v_)))
    (block $sdone
      (loop $s_
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $as (f32.add (f32.mul (local.get $mu) (f32.load (i32.add (local.get $A) (local.get $off))))
          (f32.load (i32.add (local.get $G) (local.get $off)))))
        (f32.store (i32.add (local.get $A) (local.get $off)) (local.get $as))
        (f32.store (i32.add (local.get $W) (local.get $off))
          (f32.sub (f32.load (i32.add (local.get $W) (local.get $off))) (f32.mul (local.get $lr) (local.get $as))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $s_))))

  ;; RMSprop: s += c2·(g² − s); w −= lr · g / √(s + eps), over n values
  (func (export "rmsprop") (param $n i32) (param $W i32) (param $G i32) (param $S i32) (param $lr f32) (param $c2 f32) (param $eps f32)
    (local $i i32) (local $vn i32) (local $off i32) (local $g v128) (local $s v128)
    (local $lv v128) (local $c2v v128) (local $ev v128) (local $gs f32) (local $ss f32)
    (local.set $lv (f32x4.splat (local.get $lr)))
    (local.set $c2v (f32x4.splat (local.get $c2)))
    (local.set $ev (f32x4.splat (local.get $eps)))
    (local.set $vn (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $v_
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vn)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $g (v128.load (i32.add (local.get $G) (local.get $off))))
        (local.set $s (v128.load (i32.add (local.get $S) (local.get $off))))
        (local.set $s (f32x4.add (local.get $s)
          (f32x4.mul (local.get $c2v) (f32x4.sub (f32x4.mul (local.get $g) (local.get $g)) (local.get $s)))))
        (v128.store (i32.add (local.get $S) (local.get $off)) (local.get $s))
        (v128.store (i32.add (local.get $W) (local.get $off))
          (f32x4.sub (v128.load (i32.add (local.get $W) (local.get $off)))
            (f32x4.mul (local.get $lv) (f32x4.div (local.get $g) (f32x4.sqrt (f32x4.add (local.get $s) (local.get $ev)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $v_)))
    (block $sdone
      (loop $s_
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $G) (local.get $off))))
        (local.set $ss (f32.load (i32.add (local.get $S) (local.get $off))))
        (local.set $ss (f32.add (local.get $ss)
          (f32.mul (local.get $c2) (f32.sub (f32.mul (local.get $gs) (local.get $gs)) (local.get $ss)))))
        (f32.store (i32.add (local.get $S) (local.get $off)) (local.get $ss))
        (f32.store (i32.add (local.get $W) (local.get $off))
          (f32.sub (f32.load (i32.add (local.get $W) (local.get $off)))
            (f32.mul (local.get $lr) (f32.div (local.get $gs) (f32.sqrt (f32.add (local.get $ss) (local.get $eps)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $s_))))
  ;; Hidden layer with ReLU: for each of `rows` rows, A = max(Z, 0) (skipped when A = 0), H = A · M (M = 0: no mask)
  ;; with H's rows one value longer, that value 1 (the bias input of the next layer)
  (func (export "reluForward") (param $rows i32) (param $u i32) (param $Z i32) (param $A i32) (param $H i32) (param $M i32)
    (local $r i32) (local $c i32) (local $vu i32) (local $v v128) (local $s f32) (local $o i32) (local $h i32)
    (local.set $vu (i32.and (local.get $u) (i32.const -4)))
    (block $rdone
      (loop $r_
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $vdone
          (loop $v_
            (br_if $vdone (i32.ge_u (local.get $c) (local.get $vu)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $r) (local.get $u)) (local.get $c)) (i32.const 2)))
            (local.set $v (f32x4.max (v128.load (i32.add (local.get $Z) (local.get $o))) (v128.const f32x4 0 0 0 0)))
            (if (local.get $A) (then (v128.store (i32.add (local.get $A) (local.get $o)) (local.get $v))))
            (if (local.get $M) (then (local.set $v (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $M) (local.get $o)))))))
            (v128.store (i32.add (local.get $H) (i32.shl (i32.add (i32.mul (local.get $r) (i32.add (local.get $u) (i32.const 1))) (local.get $c)) (i32.const 2))) (local.get $v))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $v_)))
        (block $sdone
          (loop $s_
            (br_if $sdone (i32.ge_u (local.get $c) (local.get $u)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $r) (local.get $u)) (local.get $c)) (i32.const 2)))
            (local.set $s (f32.max (f32.load (i32.add (local.get $Z) (local.get $o))) (f32.const 0)))
            (if (local.get $A) (then (f32.store (i32.add (local.get $A) (local.get $o)) (local.get $s))))
            (if (local.get $M) (then (local.set $s (f32.mul (local.get $s) (f32.load (i32.add (local.get $M) (local.get $o)))))))
            (f32.store (i32.add (local.get $H) (i32.shl (i32.add (i32.mul (local.get $r) (i32.add (local.get $u) (i32.const 1))) (local.get $c)) (i32.const 2))) (local.get $s))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $s_)))
        (local.set $h (i32.add (local.get $H) (i32.shl (i32.add (i32.mul (local.get $r) (i32.add (local.get $u) (i32.const 1))) (local.get $u)) (i32.const 2))))
        (f32.store (local.get $h) (f32.const 1))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_))))

  ;; ReLU's backward step over n values: OUT = DH where Z > 0, else 0; times M unless M = 0
  (func (export "reluBackward") (param $n i32) (param $DH i32) (param $Z i32) (param $M i32) (param $OUT i32)
    (local $i i32) (local $vn i32) (local $o i32) (local $v v128) (local $s f32)
    (local.set $vn (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $v_
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vn)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $v (v128.and (v128.load (i32.add (local.get $DH) (local.get $o)))
          (f32x4.gt (v128.load (i32.add (local.get $Z) (local.get $o))) (v128.const f32x4 0 0 0 0))))
        (if (local.get $M) (then (local.set $v (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $M) (local.get $o)))))))
        (v128.store (i32.add (local.get $OUT) (local.get $o)) (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $v_)))
    (block $sdone
      (loop $s_
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $s (select (f32.load (i32.add (local.get $DH) (local.get $o))) (f32.const 0)
          (f32.gt (f32.load (i32.add (local.get $Z) (local.get $o))) (f32.const 0))))
        (if (local.get $M) (then (local.set $s (f32.mul (local.get $s) (f32.load (i32.add (local.get $M) (local.get $o)))))))
        (f32.store (i32.add (local.get $OUT) (local.get $o)) (local.get $s))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $s_))))

  ;; Stores the first k (1–4) lanes of v at p: the tails of the loops below, which compute a whole vector there.
  (func $storeLanes (param $p i32) (param $v v128) (param $k i32)
    (if (i32.ge_u (local.get $k) (i32.const 4))
      (then (v128.store (local.get $p) (local.get $v)) (return)))
    (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.ge_u (local.get $k) (i32.const 2))
      (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.ge_u (local.get $k) (i32.const 3))
      (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $v))))))

  ;; Activation `kind` per lane, each from one e^g − c (exp for kind 0, expm1 otherwise):
  ;;   0 exp:     e^x                                              (for the softmax)
  ;;   1 tanh:    sign(x) · e/(e + 2), e = expm1(2·min(|x|, 9.02))  (tanh is ±1 in float32 beyond |x| = 8.7)
  ;;   2 sigmoid: (x ≥ 0 ? 1 : e)/(1 + e), e = e^−|x|              (no overflow; accurate relative to the result)
  ;;   3 elu:     x ≥ 0 ? x : e, e = expm1(min(x, 0))
  ;; e^g − c: g = n·ln2 + r with n = nearest(g·log2 e) (the 1.5·2²³ trick, whose low bits are n) and |r| ≤ ln2/2
  ;; (ln2 split in two as Cody and Waite do, so n·ln2hi is exact); e^r − 1 = r + r²·P(r), P of degree 5 from Cephes's
  ;; expf; then e^g − c = 2ⁿ·(e^r − 1) + (2ⁿ − c), which keeps expm1 accurate near 0 and exp accurate far below 1.
  ;; g below ln 2⁻¹²⁶ = −87.3365 gives e^g = 0 (results that would be subnormal are flushed to 0), expm1 = −1; g above
  ;; 88.3 counts as 88.3 (no caller goes there). NaN in, NaN out; ±∞ give their limits; tanh and elu keep −0.
  ;; Error against Math.exp, Math.tanh, 1/(1 + Math.exp(−x)) and Math.expm1 (double precision), in units in the last
  ;; place of the float32 result, measured on every 97th float32 of magnitude below 32 (exp: up to 88), both signs
  ;; (kernels.test.ts checks the same bounds on a coarser sweep and on edge values):
  ;;   exp      ≤ 0.96 ulp  relative ≤ 8.4e-8                   (results ≥ 2⁻¹²⁶; below, 0)
  ;;   tanh     ≤ 2.37 ulp  absolute ≤ 8.9e-8, relative ≤ 1.7e-7
  ;;   sigmoid  ≤ 2.28 ulp  absolute ≤ 8.9e-8, relative ≤ 1.8e-7 (results ≥ 2⁻¹²⁶; below, 0)
  ;;   elu      ≤ 0.89 ulp  absolute ≤ 4.3e-8, relative ≤ 8.3e-8
  ;; (tfjs's wasm backend, which the reference engine runs on, showed 2.1, 3.3 and 1.0 ulp for tanh, sigmoid and elu
  ;; against the same references on a million random values of magnitude up to 20.)
  ;; The branches on `kind` take the same way for every vector of a kernel call.
  (func $activation4 (param $kind i32) (param $x v128) (result v128)
    (local $g v128) (local $c v128) (local $t v128) (local $n v128) (local $r v128) (local $p v128) (local $s v128)
    (local $tiny v128) (local $e v128)
    (local.set $g (local.get $x))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then
        (local.set $g (f32x4.mul (f32x4.pmin (f32x4.abs (local.get $x)) (v128.const f32x4 9.02 9.02 9.02 9.02))
          (v128.const f32x4 2 2 2 2)))
        (local.set $c (v128.const f32x4 1 1 1 1))))
    (if (i32.eq (local.get $kind) (i32.const 2))
      (then (local.set $g (f32x4.neg (f32x4.abs (local.get $x))))))
    (if (i32.eq (local.get $kind) (i32.const 3))
      (then
        (local.set $g (f32x4.pmin (local.get $x) (v128.const i32x4 0 0 0 0)))
        (local.set $c (v128.const f32x4 1 1 1 1))))
    (local.set $tiny (f32x4.lt (local.get $g) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
    (local.set $g (f32x4.pmax (f32x4.pmin (local.get $g) (v128.const f32x4 88.3 88.3 88.3 88.3))
      (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
    (local.set $t (f32x4.add (f32x4.mul (local.get $g) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))
      (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $n (f32x4.sub (local.get $t) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $g) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
      (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $r) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
      (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)))
    ;; 2ⁿ from t's low bits (t = 1.5·2²³ + n: adding the exponent bias and shifting leaves (n + 127) << 23), 0 when tiny
    (local.set $s (v128.andnot
      (i32x4.shl (i32x4.add (local.get $t) (v128.const i32x4 127 127 127 127)) (i32.const 23))
      (local.get $tiny)))
    (local.set $e (f32x4.add (f32x4.mul (local.get $s) (local.get $p)) (f32x4.sub (local.get $s) (local.get $c))))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then (return (v128.or (f32x4.div (local.get $e) (f32x4.add (local.get $e) (v128.const f32x4 2 2 2 2)))
        (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))))
    (if (i32.eq (local.get $kind) (i32.const 2))
      (then (return (f32x4.div
        (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $e) (f32x4.ge (local.get $x) (v128.const i32x4 0 0 0 0)))
        (f32x4.add (local.get $e) (v128.const f32x4 1 1 1 1))))))
    (if (i32.eq (local.get $kind) (i32.const 3))
      (then (return (v128.bitselect (local.get $x) (local.get $e) (f32x4.ge (local.get $x) (v128.const i32x4 0 0 0 0))))))
    (local.get $e))

  ;; Y = f(X) over n values, f activation `kind` (0 exp, 1 tanh, 2 sigmoid, 3 elu); the last vector reads up to 3
  ;; values past n and stores only its own.
  (func (export "activate") (param $kind i32) (param $n i32) (param $X i32) (param $Y i32)
    (local $i i32) (local $o i32)
    (block $done
      (loop $i_
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (call $storeLanes (i32.add (local.get $Y) (local.get $o))
          (call $activation4 (local.get $kind) (v128.load (i32.add (local.get $X) (local.get $o))))
          (i32.sub (local.get $n) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $i_))))

  ;; Hidden layer with activation `kind` (1 tanh, 2 sigmoid, 3 elu): for each of `rows` rows of u values,
  ;; A = f(Z) (skipped when A = 0), H = A · M (M = 0: no mask) with H's rows one value longer, that value 1.
  ;; Each row is done 4 values at a time; the last vector of a row reads up to 3 values past its end (the next row,
  ;; or up to 12 bytes past the buffer) and stores only the row's own lanes.
  (func (export "activationForward") (param $kind i32) (param $rows i32) (param $u i32)
    (param $Z i32) (param $A i32) (param $H i32) (param $M i32)
    (local $r i32) (local $c i32) (local $k i32) (local $o i32) (local $h i32) (local $v v128)
    (block $rdone
      (loop $r_
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $h (i32.add (local.get $H) (i32.shl (i32.mul (local.get $r) (i32.add (local.get $u) (i32.const 1))) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $c_
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $u)))
            (local.set $k (i32.sub (local.get $u) (local.get $c)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $r) (local.get $u)) (local.get $c)) (i32.const 2)))
            (local.set $v (call $activation4 (local.get $kind) (v128.load (i32.add (local.get $Z) (local.get $o)))))
            (if (local.get $A)
              (then (if (i32.ge_u (local.get $k) (i32.const 4))
                (then (v128.store (i32.add (local.get $A) (local.get $o)) (local.get $v)))
                (else (call $storeLanes (i32.add (local.get $A) (local.get $o)) (local.get $v) (local.get $k))))))
            (if (local.get $M) (then (local.set $v (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $M) (local.get $o)))))))
            (if (i32.ge_u (local.get $k) (i32.const 4))
              (then (v128.store (i32.add (local.get $h) (i32.shl (local.get $c) (i32.const 2))) (local.get $v)))
              (else (call $storeLanes (i32.add (local.get $h) (i32.shl (local.get $c) (i32.const 2))) (local.get $v) (local.get $k))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $c_)))
        (f32.store (i32.add (local.get $h) (i32.shl (local.get $u) (i32.const 2))) (f32.const 1))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_))))

  ;; Backward step of activation `kind` over n values, from the activation A it produced:
  ;; OUT = DH · f'(A) (tanh 1 − A², sigmoid A·(1 − A), elu min(A + 1, 1)), times M unless M = 0 — each product
  ;; rounded to float32 in the order the tfjs engine takes (dense-tfjs.ts). The last vector reads up to 3 values past n.
  (func (export "activationBackward") (param $kind i32) (param $n i32) (param $DH i32) (param $A i32) (param $M i32) (param $OUT i32)
    (local $i i32) (local $o i32) (local $a v128) (local $d v128)
    (block $done
      (loop $i_
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $a (v128.load (i32.add (local.get $A) (local.get $o))))
        (local.set $d
          (if (result v128) (i32.eq (local.get $kind) (i32.const 1))
            (then (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $a) (local.get $a))))
            (else (if (result v128) (i32.eq (local.get $kind) (i32.const 2))
              (then (f32x4.mul (local.get $a) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $a))))
              (else (f32x4.pmin (f32x4.add (local.get $a) (v128.const f32x4 1 1 1 1)) (v128.const f32x4 1 1 1 1)))))))
        (local.set $d (f32x4.mul (v128.load (i32.add (local.get $DH) (local.get $o))) (local.get $d)))
        (if (local.get $M) (then (local.set $d (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $M) (local.get $o)))))))
        (if (i32.ge_u (i32.sub (local.get $n) (local.get $i)) (i32.const 4))
          (then (v128.store (i32.add (local.get $OUT) (local.get $o)) (local.get $d)))
          (else (call $storeLanes (i32.add (local.get $OUT) (local.get $o)) (local.get $d) (i32.sub (local.get $n) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $i_))))

  ;; B[C×R] = A[R×C]ᵀ: 4×4 blocks transposed in registers (two rounds of shuffles), then the edges one value at a time.
  (func (export "transpose") (param $R i32) (param $C i32) (param $A i32) (param $B i32)
    (local $i i32) (local $j i32) (local $R4 i32) (local $C4 i32) (local $rowA i32) (local $rowB i32) (local $pa i32) (local $pb i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $R4 (i32.and (local.get $R) (i32.const -4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $rowA (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowB (i32.shl (local.get $R) (i32.const 2)))
    (block $idone
      (loop $i_
        (br_if $idone (i32.ge_u (local.get $i) (local.get $R4)))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $j_
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $C4)))
            (local.set $pa (i32.add (local.get $A) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $j)) (i32.const 2))))
            (local.set $r0 (v128.load (local.get $pa)))
            (local.set $r1 (v128.load (i32.add (local.get $pa) (local.get $rowA))))
            (local.set $r2 (v128.load (i32.add (local.get $pa) (i32.shl (local.get $rowA) (i32.const 1)))))
            (local.set $r3 (v128.load (i32.add (local.get $pa) (i32.mul (local.get $rowA) (i32.const 3)))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
            (local.set $pb (i32.add (local.get $B) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $R)) (local.get $i)) (i32.const 2))))
            (v128.store (local.get $pb) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $pb) (local.get $rowB))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $pb) (i32.shl (local.get $rowB) (i32.const 1)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store (i32.add (local.get $pb) (i32.mul (local.get $rowB) (i32.const 3)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $j_)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $i_)))
    ;; columns C4.. of rows 0..R4, then every column of rows R4..R
    (local.set $i (i32.const 0))
    (block $edone
      (loop $e_
        (br_if $edone (i32.ge_u (local.get $i) (local.get $R)))
        (local.set $j (select (local.get $C4) (i32.const 0) (i32.lt_u (local.get $i) (local.get $R4))))
        (block $ejdone
          (loop $ej
            (br_if $ejdone (i32.ge_u (local.get $j) (local.get $C)))
            (f32.store (i32.add (local.get $B) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $R)) (local.get $i)) (i32.const 2)))
              (f32.load (i32.add (local.get $A) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $j)) (i32.const 2)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ej)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $e_))))

  ;; Y += alpha · X over n values (alpha · X rounded to float32 first, as the tfjs engine's weight decay does)
  (func (export "axpy") (param $n i32) (param $alpha f32) (param $X i32) (param $Y i32)
    (local $i i32) (local $vn i32) (local $o i32) (local $av v128)
    (local.set $av (f32x4.splat (local.get $alpha)))
    (local.set $vn (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $v_
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vn)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $Y) (local.get $o))
          (f32x4.add (v128.load (i32.add (local.get $Y) (local.get $o)))
            (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $X) (local.get $o))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $v_)))
    (block $sdone
      (loop $s_
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $Y) (local.get $o))
          (f32.add (f32.load (i32.add (local.get $Y) (local.get $o)))
            (f32.mul (local.get $alpha) (f32.load (i32.add (local.get $X) (local.get $o))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $s_))))

  ;; Softmax cross-entropy of `rows` rows of C logits at OUT against Y (one-hot or any weights, C per row):
  ;; D = (softmax(OUT) − Y) · sc, PT[row] = Σ softmax(OUT)·Y (the probability of the true class; the log is the
  ;; caller's). Per row: the max, e = exp(o − max) (≤ 1, kept in D meanwhile), their sum, p = e / sum. 4 classes at a
  ;; time; lanes past C read up to 3 values past the row and count as −∞ logits with weight 0.
  (func (export "softmaxCrossEntropy") (param $rows i32) (param $C i32) (param $OUT i32) (param $Y i32) (param $sc f32)
    (param $D i32) (param $PT i32)
    (local $r i32) (local $c i32) (local $o i32) (local $k i32) (local $valid v128)
    (local $mx v128) (local $sum v128) (local $pt v128) (local $e v128) (local $p v128) (local $y v128) (local $scv v128)
    (local.set $scv (f32x4.splat (local.get $sc)))
    (block $rdone
      (loop $r_
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $mx (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $c (i32.const 0))
        (block $mdone
          (loop $m_
            (br_if $mdone (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))
            (local.set $valid (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.sub (local.get $C) (local.get $c)))))
            (local.set $mx (f32x4.max (local.get $mx)
              (v128.bitselect (v128.load (i32.add (local.get $OUT) (local.get $o))) (v128.const f32x4 -inf -inf -inf -inf) (local.get $valid))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $m_)))
        (local.set $mx (f32x4.max (local.get $mx) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mx) (local.get $mx))))
        (local.set $mx (f32x4.max (local.get $mx) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $mx) (local.get $mx))))
        (local.set $sum (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $edone
          (loop $e_
            (br_if $edone (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))
            (local.set $valid (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.sub (local.get $C) (local.get $c)))))
            (local.set $e (v128.and (local.get $valid)
              (call $activation4 (i32.const 0) (f32x4.sub (v128.load (i32.add (local.get $OUT) (local.get $o))) (local.get $mx)))))
            (local.set $sum (f32x4.add (local.get $sum) (local.get $e)))
            (call $storeLanes (i32.add (local.get $D) (local.get $o)) (local.get $e) (i32.sub (local.get $C) (local.get $c)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $e_)))
        (local.set $sum (f32x4.add (local.get $sum) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sum) (local.get $sum))))
        (local.set $sum (f32x4.add (local.get $sum) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $sum) (local.get $sum))))
        (local.set $pt (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $pdone
          (loop $p_
            (br_if $pdone (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))
            (local.set $k (i32.sub (local.get $C) (local.get $c)))
            (local.set $valid (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $k))))
            (local.set $p (f32x4.div (v128.load (i32.add (local.get $D) (local.get $o))) (local.get $sum)))
            (local.set $y (v128.and (local.get $valid) (v128.load (i32.add (local.get $Y) (local.get $o)))))
            (local.set $pt (f32x4.add (local.get $pt) (v128.and (local.get $valid) (f32x4.mul (local.get $p) (local.get $y)))))
            (call $storeLanes (i32.add (local.get $D) (local.get $o))
              (f32x4.mul (f32x4.sub (local.get $p) (local.get $y)) (local.get $scv)) (local.get $k))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $p_)))
        (local.set $pt (f32x4.add (local.get $pt) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $pt) (local.get $pt))))
        (local.set $pt (f32x4.add (local.get $pt) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $pt) (local.get $pt))))
        (f32.store (i32.add (local.get $PT) (i32.shl (local.get $r) (i32.const 2))) (f32x4.extract_lane 0 (local.get $pt)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_))))
)
