using Xunit;

// Real containers on a 2-core machine: one test at a time keeps timings (and failures) readable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
