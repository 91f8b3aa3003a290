package sse

import (
	"context"
	"time"

	"go.k6.io/k6/metrics"
)

// Flush a stream's pending samples when this many are pending or the oldest
// is this old. One channel send per sample is a large share of k6's cost per
// event; k6's outputs and threshold checks work at a coarser period anyway
// (the metrics engine every 50 ms, outputs about every second).
const (
	batchMaxSamples = 256
	batchMaxAge     = 500 * time.Millisecond
)

// sampleBatch gathers one stream's samples and pushes them to k6 together.
// As with every k6 sample, what is pending when the VU's iteration is
// interrupted (test end, gracefulStop) is dropped: at most batchMaxAge of a
// stream's events, which an interrupted stream was cut short by anyway.
// Counters are summed (a counter's total, rate and dashboards' sum() do not
// depend on how it was split into samples); trend samples are kept one by
// one. Only the goroutine reading the stream uses it.
type sampleBatch struct {
	ctx      context.Context // the VU's: samples are dropped once it is done, as k6 does
	out      chan<- metrics.SampleContainer
	samples  []metrics.Sample
	counters []*pendingCount
	oldest   time.Time // when the oldest pending sample or count was added; zero when none
	last     time.Time // when the newest was
}

// pendingCount is a counter's not yet pushed total on one time series.
type pendingCount struct {
	series   metrics.TimeSeries
	metadata map[string]string
	n        float64
}

func newSampleBatch(ctx context.Context, out chan<- metrics.SampleContainer) *sampleBatch {
	return &sampleBatch{ctx: ctx, out: out}
}

// counter returns the pending total of metric m with these tags.
func (b *sampleBatch) counter(m *metrics.Metric, tags *metrics.TagsAndMeta) *pendingCount {
	c := &pendingCount{series: metrics.TimeSeries{Metric: m, Tags: tags.Tags}, metadata: tags.Metadata}
	b.counters = append(b.counters, c)
	return c
}

// add counts n on c at time at.
func (b *sampleBatch) add(c *pendingCount, at time.Time, n float64) {
	c.n += n
	b.touched(at)
}

// sample keeps one sample of m with these tags.
func (b *sampleBatch) sample(m *metrics.Metric, tags *metrics.TagsAndMeta, at time.Time, value float64) {
	b.samples = append(b.samples, metrics.Sample{
		TimeSeries: metrics.TimeSeries{Metric: m, Tags: tags.Tags},
		Time:       at,
		Metadata:   tags.Metadata,
		Value:      value,
	})
	b.touched(at)
}

func (b *sampleBatch) touched(at time.Time) {
	if b.oldest.IsZero() {
		b.oldest = at
	}
	b.last = at
	if len(b.samples) >= batchMaxSamples || at.Sub(b.oldest) >= batchMaxAge {
		b.flush()
	}
}

// flush pushes everything pending; counters are stamped with the time of the
// newest event they include.
func (b *sampleBatch) flush() {
	if b.oldest.IsZero() {
		return
	}
	out := b.samples
	for _, c := range b.counters {
		if c.n != 0 {
			out = append(out, metrics.Sample{TimeSeries: c.series, Time: b.last, Metadata: c.metadata, Value: c.n})
			c.n = 0
		}
	}
	if len(out) > 0 {
		metrics.PushIfNotDone(b.ctx, b.out, metrics.Samples(out))
	}
	// The pushed slice now belongs to k6: start a new one, sized like the last.
	b.samples = make([]metrics.Sample, 0, len(out))
	b.oldest = time.Time{}
}
