using Contact.Core.Cases;
using Contact.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Contact.Tests.Cases;

public sealed class CaseNumberTests
{
    [Test]
    public void Every_single_mistyped_digit_is_rejected()
    {
        var number = CaseNumber.WithCheckDigit("1234567");
        Assert.That(CaseNumber.Normalise(number), Is.EqualTo(number));
        for (var i = 0; i < number.Length; i++)
        {
            for (var d = '0'; d <= '9'; d++)
            {
                if (d == number[i])
                {
                    continue;
                }
                var typo = number[..i] + d + number[(i + 1)..];
                Assert.That(CaseNumber.Normalise(typo), Is.Null, typo);
            }
        }
    }

    [Test]
    public void Every_swap_of_two_neighbouring_digits_is_rejected()
    {
        foreach (var body in new[] { "100000", "987654", "123456789", "5550101" })
        {
            var number = CaseNumber.WithCheckDigit(body);
            for (var i = 0; i + 1 < number.Length; i++)
            {
                if (number[i] == number[i + 1])
                {
                    continue;
                }
                var swapped = number[..i] + number[i + 1] + number[i] + number[(i + 2)..];
                Assert.That(CaseNumber.Normalise(swapped), Is.Null, swapped);
            }
        }
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("123456")]      // too short
    [TestCase("12345678901")] // too long
    [TestCase("0123456")]     // no leading zero
    [TestCase("12a4567")]
    public void Malformed_numbers_are_rejected(string input) => Assert.That(CaseNumber.Normalise(input), Is.Null);

    [Test]
    public void Spaces_and_dashes_that_people_type_are_ignored()
    {
        var number = CaseNumber.WithCheckDigit("1000042");
        var typed = number[..3] + " " + number[3..6] + "-" + number[6..];
        Assert.That(CaseNumber.Normalise(typed), Is.EqualTo(number));
    }

    [Test]
    public async Task The_database_and_the_code_compute_the_same_check_digit()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        await using var connection = await db.OpenConnectionAsync();
        var random = new Random(20261125);
        for (var i = 0; i < 200; i++)
        {
            var body = random.NextInt64(100_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var sql = await connection.ExecuteScalarAsync<int>("select damm_check_digit(@body)", new { body });
            Assert.That(sql, Is.EqualTo(CaseNumber.CheckDigit(body)), body);
        }
    }

    [Test]
    public async Task New_case_numbers_are_ten_digits_with_a_valid_check_digit_and_never_repeat()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        await using var connection = await db.OpenConnectionAsync();
        var numbers = (await connection.QueryAsync<string>("select next_case_number() from generate_series(1, 5000)")).ToList();
        Assert.That(numbers, Has.All.Length.EqualTo(10));
        Assert.That(numbers.Select(CaseNumber.Normalise), Is.EqualTo(numbers));
        Assert.That(numbers.Distinct().Count(), Is.EqualTo(numbers.Count));
    }

    [Test]
    public async Task One_case_number_tells_nothing_of_the_next()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        await using var connection = await db.OpenConnectionAsync();
        var numbers = (await connection.QueryAsync<string>("select next_case_number() from generate_series(1, 2000)"))
            .Select(n => long.Parse(n[..^1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var steps = numbers.Zip(numbers.Skip(1), (a, b) => b - a).ToList();
        // A sequence goes up by one; these go up about as often as down, by steps spread over the whole range.
        var up = steps.Count(d => d > 0);
        Assert.That(up, Is.InRange(steps.Count * 0.4, steps.Count * 0.6));
        Assert.That(steps.Count(d => Math.Abs(d) < 1000), Is.LessThan(10));
        Assert.That(numbers.Min(), Is.LessThan(200_000_000));
        Assert.That(numbers.Max(), Is.GreaterThan(900_000_000));
    }

    [Test]
    public async Task The_permutation_is_one_to_one_over_its_range_and_keyed()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        await using var connection = await db.OpenConnectionAsync();
        // The last 20 000 indexes (where the walk back into range happens most) and the first 20 000.
        var images = (await connection.QueryAsync<long>("""
            select case_number_permute(i, 'a-test-secret-of-thirty-two-chars')
            from (select generate_series(0, 19999) as i union all select generate_series(899980000, 899999999)) s
            """)).ToList();
        Assert.That(images, Has.All.InRange(0L, 899_999_999L));
        Assert.That(images.Distinct().Count(), Is.EqualTo(images.Count));
        var other = await connection.QueryAsync<long>("select case_number_permute(i, 'another-secret-of-thirty-two-chr') from generate_series(0, 19999) i");
        Assert.That(other.Zip(images.Take(20000)).Count(p => p.First == p.Second), Is.LessThan(5), "another key, another order");
        Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteScalarAsync<long>("select case_number_permute(900000000, 'a-test-secret-of-thirty-two-chars')"));
    }

    [Test]
    public async Task Each_database_has_its_own_key()
    {
        var keys = new List<string>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            await using var db = NpgsqlDataSource.Create(TestDatabase.Server.ConnectionString());
            await using var connection = await db.OpenConnectionAsync();
            var name = "keys_" + Guid.NewGuid().ToString("N")[..8];
            await connection.ExecuteAsync($"create database {name}");
            await using (var fresh = NpgsqlDataSource.Create(TestDatabase.Server.ConnectionString(name)))
            {
                await new Contact.Core.Infrastructure.Migrator(fresh).MigrateAsync();
                await using var c = await fresh.OpenConnectionAsync();
                keys.Add(await c.ExecuteScalarAsync<string>("select secret from case_number_key") ?? "");
            }
            NpgsqlConnection.ClearAllPools();
            await connection.ExecuteAsync($"drop database {name} with (force)");
        }
        Assert.That(keys[0], Has.Length.EqualTo(64));
        Assert.That(keys[1], Is.Not.EqualTo(keys[0]));
    }
}
