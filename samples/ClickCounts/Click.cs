namespace Rill.Samples.ClickCounts;

/// <summary>
/// One click. User ids are 32-bit integers (as user ids in the click logs this sample models are), so a line with
/// a non-numeric user id is malformed rather than a new user.
/// </summary>
internal readonly record struct Click(long TimestampMillis, int UserId, string Url);
