using System.Runtime.Loader;

namespace Rill.Runtime.Rpc;

/// <summary>
/// Finds a type by its assembly-qualified name in any load context of this process, so a split type defined by an
/// application loaded into its own context (session mode) is found as well as Rill's own.
/// </summary>
internal static class TypeResolver
{
    public static Type? Resolve(string assemblyQualifiedName)
    {
        if (Type.GetType(assemblyQualifiedName, throwOnError: false) is { } type)
        {
            return type;
        }

        var comma = assemblyQualifiedName.IndexOf(',', StringComparison.Ordinal);
        var typeName = comma < 0 ? assemblyQualifiedName : assemblyQualifiedName[..comma];
        return AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
    }
}
