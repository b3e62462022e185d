-- A stand-in for the alloc branch's 0023 so that 0025 has no gap on the
-- forms branch; dropped at merge (the real 0023 takes its place).
SELECT 1;
