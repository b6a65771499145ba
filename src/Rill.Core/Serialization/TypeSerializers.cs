using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Rill.Serialization;

/// <summary>Picks the fastest serializer for a type: primitives, strings, blittable structs, tuples, then MessagePack.</summary>
public static class TypeSerializers
{
    private static readonly ConcurrentDictionary<Type, object> Registered = new();

    /// <summary>Registers a hand-written serializer for a type, used everywhere the type crosses a task boundary.</summary>
    public static void Register<T>(TypeSerializer<T> serializer) => Registered[typeof(T)] = serializer;

    public static TypeSerializer<T> For<T>() => Cache<T>.Instance;

    private static class Cache<T>
    {
        public static readonly TypeSerializer<T> Instance = Create();

        private static TypeSerializer<T> Create()
        {
            if (Registered.TryGetValue(typeof(T), out var registered))
            {
                return (TypeSerializer<T>)registered;
            }

            var type = typeof(T);
            object? serializer = type switch
            {
                _ when type == typeof(int) => new Int32Serializer(),
                _ when type == typeof(long) => new Int64Serializer(),
                _ when type == typeof(double) => new DoubleSerializer(),
                _ when type == typeof(bool) => new BooleanSerializer(),
                _ when type == typeof(string) => new StringSerializer(),
                _ => null,
            };
            if (serializer is not null)
            {
                return (TypeSerializer<T>)serializer;
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTuple<,>))
            {
                return (TypeSerializer<T>)CreateComposite(typeof(ValueTupleSerializer<,>), type.GetGenericArguments());
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTuple<,,>))
            {
                return (TypeSerializer<T>)CreateComposite(typeof(ValueTupleSerializer<,,>), type.GetGenericArguments());
            }

            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                return (TypeSerializer<T>)CreateComposite(typeof(NullableSerializer<>), [underlying]);
            }

            if (type.IsValueType && !RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            {
                return (TypeSerializer<T>)Activator.CreateInstance(typeof(UnmanagedSerializer<>).MakeGenericType(type))!;
            }

            return new MessagePackFallbackSerializer<T>();
        }

        private static object CreateComposite(Type open, Type[] arguments)
        {
            var parts = arguments.Select(a => typeof(TypeSerializers).GetMethod(nameof(For))!.MakeGenericMethod(a).Invoke(null, null)).ToArray();
            return Activator.CreateInstance(open.MakeGenericType(arguments), parts)!;
        }
    }
}
