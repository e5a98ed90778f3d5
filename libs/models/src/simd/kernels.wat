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
)
