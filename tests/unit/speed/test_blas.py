"""The OpenBLAS kernel chosen from the CPU flags before numpy loads, unless the environment
chose one."""
import os


def test_blas_kernel_follows_the_cpu_flags_and_an_explicit_choice_wins(tmp_path):
    import subprocess
    import sys
    import aezoo
    assert aezoo.blas_kernel_for("avx avx2 fma avx512f avx512bw avx512vl avx512dq avx512cd"
                                 .split()) == "SkylakeX"
    assert aezoo.blas_kernel_for(["sse2", "avx", "avx2", "fma"]) == "Haswell"
    assert aezoo.blas_kernel_for(["sse2", "avx"]) is None  # OpenBLAS's own detection
    show = ("import aezoo, os, numpy, threadpoolctl; print(os.environ.get('OPENBLAS_CORETYPE'), "
            "[i.get('architecture') for i in threadpoolctl.threadpool_info() "
            "if 'numpy' in i['filepath']][0])")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    chosen, used = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True,
                                  text=True, check=True).stdout.split()
    flags = next(l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags"))
    assert chosen == str(aezoo.blas_kernel_for(flags))
    if chosen != "None":
        assert used == chosen  # numpy's OpenBLAS runs the kernel chosen before it loaded
    env["OPENBLAS_CORETYPE"] = "Haswell"  # the environment's choice is kept
    assert subprocess.run([sys.executable, "-c", show], env=env, capture_output=True,
                          text=True, check=True).stdout.split() == ["Haswell", "Haswell"]
