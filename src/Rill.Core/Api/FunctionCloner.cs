using System.Reflection;

namespace Rill.Api;

/// <summary>
/// Gives each parallel subtask its own copy of a user function or sink object, as Flink does by deserializing the
/// function per subtask; without it, subtasks on different threads would share fields. Delegates are
/// stateless from our point of view and are shared. The copy is shallow: collections held by a function stay shared.
/// </summary>
internal static class FunctionCloner
{
    private static readonly MethodInfo MemberwiseCloneMethod =
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

    public static T Clone<T>(T function) where T : class =>
        function is Delegate ? function : (T)MemberwiseCloneMethod.Invoke(function, null)!;
}
