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
    public async Task New_case_numbers_are_seven_digits_with_a_valid_check_digit()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabase.CloneAsync());
        await using var connection = await db.OpenConnectionAsync();
        var numbers = (await connection.QueryAsync<string>("select next_case_number() from generate_series(1, 50)")).ToList();
        Assert.That(numbers, Has.All.Length.EqualTo(7));
        Assert.That(numbers.Select(CaseNumber.Normalise), Is.EqualTo(numbers));
        Assert.That(numbers.Distinct().Count(), Is.EqualTo(50));
    }
}
