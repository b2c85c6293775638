"""habeas benchmarks: throughput and memory as ratios against baselines measured in the same run."""
