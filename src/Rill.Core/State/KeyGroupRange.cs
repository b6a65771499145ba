namespace Rill.State;

/// <summary>An inclusive range of key groups owned by one parallel operator instance.</summary>
public readonly record struct KeyGroupRange(int StartKeyGroup, int EndKeyGroup)
{
    public int NumberOfKeyGroups => EndKeyGroup - StartKeyGroup + 1;

    public bool Contains(int keyGroup) => keyGroup >= StartKeyGroup && keyGroup <= EndKeyGroup;

    public override string ToString() => $"KeyGroupRange{{start={StartKeyGroup}, end={EndKeyGroup}}}";
}
