package sse

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNumberField(t *testing.T) {
	cases := []struct {
		data string
		want float64
		ok   bool
	}{
		{`{"seq":42,"t":1732281234567.123,"topic":"news","p":"xxxx"}`, 1732281234567.123, true},
		{` { "t" : -1.5e3 } `, -1500, true},
		{`{"t":0}`, 0, true},
		// Skipped values that contain look-alikes of the member.
		{`{"p":"\"t\":1","t":2}`, 2, true},
		{`{"o":{"t":1,"s":"}"},"a":[{"t":3}],"t":4}`, 4, true},
		{`{"n":null,"b":true,"f":false,"x":-0.5,"t":5}`, 5, true},
		// An escaped key that spells the name: left to encoding/json, which decodes it.
		{`{"\u0074":6}`, 6, true},
		// Present but not a number.
		{`{"t":"7"}`, 0, false},
		{`{"t":null}`, 0, false},
		{`{"t":{"v":1}}`, 0, false},
		{`{"t":[1]}`, 0, false},
		// Missing, not an object, or not JSON.
		{`{"seq":1}`, 0, false},
		{`{}`, 0, false},
		{`[{"t":1}]`, 0, false},
		{`7`, 0, false},
		{``, 0, false},
		{`tick`, 0, false},
		// Truncated or broken right after the member: JSON.parse would throw.
		{`{"t":8,"p":"xx`, 0, false},
		{`{"t":9 "p":1}`, 0, false},
		// Not validated: members after the stamp (a documented difference from JSON.parse).
		{`{"t":9,}`, 9, true},
		// Numbers JSON does not allow, though strconv.ParseFloat would.
		{`{"t":+1}`, 0, false},
		{`{"t":.5}`, 0, false},
		{`{"t":01}`, 0, false},
		{`{"t":1.}`, 0, false},
		{`{"t":Infinity}`, 0, false},
		{`{"t":0x10}`, 0, false},
	}
	for _, c := range cases {
		got, ok := numberField(c.data, "t")
		if ok != c.ok || got != c.want {
			t.Errorf("numberField(%q) = %v, %v; want %v, %v", c.data, got, ok, c.want, c.ok)
		}
	}
}

// On valid JSON the scan agrees with a full decode; on anything it never
// panics (seeds run in every `go test`; `go test -fuzz FuzzNumberField ./sse`
// explores further).
func FuzzNumberField(f *testing.F) {
	for _, s := range []string{
		`{"seq":1,"t":1700000000000.5,"topic":"","p":"xx"}`, `{"t":"1"}`, `{"a":{"t":[1,{"t":2}]},"t":3}`,
		`{"p":"\\","t":1}`, `{"p":"\\\"","t":2}`, `{"t":1e400}`, `{"t":-0}`, `{ "t" :1 , "u":2 }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		if strings.Count(data, `"t"`) > 1 {
			t.Skip("repeated member: the scan takes the first by design")
		}
		got, ok := numberField(data, "t")
		if !json.Valid([]byte(data)) {
			return
		}
		want, wantOK := decodeNumberField(data, "t")
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("numberField(%q) = %v, %v; encoding/json says %v, %v", data, got, ok, want, wantOK)
		}
	})
}

func BenchmarkNumberField(b *testing.B) {
	data := `{"seq":42,"t":1732281234567.123,"topic":"fan2","p":"` + strings.Repeat("x", 64) + `"}`
	b.Run("scan", func(b *testing.B) {
		for range b.N {
			if _, ok := numberField(data, "t"); !ok {
				b.Fatal("not found")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for range b.N {
			if _, ok := decodeNumberField(data, "t"); !ok {
				b.Fatal("not found")
			}
		}
	})
}
