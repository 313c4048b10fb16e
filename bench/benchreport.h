#pragma once

#include <QString>

#include <cstdio>

// One line of a benchmark's figures: what was measured, the figure, the target it is held
// to and whether it met it. Shared by the benchmarks so their output reads alike.
namespace FerryBench {

inline void report(const char *what, double ms, double targetMs, const QString &detail = {})
{
    std::printf("%-44s %9.1f ms   target <= %6.0f ms   %s   %s\n", what, ms, targetMs,
                ms <= targetMs ? "MET   " : "MISSED", qPrintable(detail));
    std::fflush(stdout);
}

} // namespace FerryBench
