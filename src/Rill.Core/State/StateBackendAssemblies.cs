using System.Runtime.CompilerServices;

// Backends in assemblies of their own implement the internal backend contract (KeyedStateBackend's abstract members,
// KeyedStateTable, snapshot participants) without it becoming public API.
[assembly: InternalsVisibleTo("Rill.StateBackend.RocksDb")]
