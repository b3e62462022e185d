-- A stand-in for the delivery branch's 0024 so that 0025 has no gap on
-- the forms branch; dropped at merge (the real 0024 takes its place).
SELECT 1;
