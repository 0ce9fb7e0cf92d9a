#!/usr/bin/python3
"""Read a --metrics file with prometheus_client's parser (the Debian
package python3-prometheus-client), never with a pattern of our own.

  metrics-check.py valid FILE
      parse it and check what node_exporter's textfile collector expects:
      a HELP and a TYPE for every family, counters named *_total, no
      timestamps, histograms whose buckets grow up to +Inf == _count
  metrics-check.py get FILE SAMPLE [LABEL=VALUE ...]
      print the value of the one sample of that name whose labels include
      the ones given (an integer printed as one)
  metrics-check.py stats FILE TOOL STATS-LINE NAME=SAMPLE ...
      every counter of a --stats line (read=3 emitted=3 ...) against the
      sample the NAME=SAMPLE pairs map it to, labelled tool=TOOL; a name
      of the line left unmapped is an error too
  metrics-check.py poll FILE STOPFILE
      parse FILE over and over until STOPFILE exists; print how many
      reads and how many different contents; exit 1 at the first read
      that does not parse or is empty. Creates STOPFILE.ready after the
      first read, for the test to start the writes it is to watch
"""
import os
import sys

from prometheus_client.parser import text_string_to_metric_families


def families(text):
    return list(text_string_to_metric_families(text))


def fmt(v):
    return str(int(v)) if float(v).is_integer() else repr(v)


def valid(path):
    text = open(path).read()
    helps = {l.split()[2] for l in text.splitlines() if l.startswith('# HELP ')}
    types = {l.split()[2]: l.split()[3] for l in text.splitlines()
             if l.startswith('# TYPE ')}
    problems = []
    fams = families(text)
    if not fams:
        problems.append('no metrics at all')
    for f in fams:
        # the parser names a counter's family without its _total
        declared = f.name + '_total' if f.type == 'counter' else f.name
        if declared not in helps:
            problems.append('%s: no HELP' % declared)
        if types.get(declared) != f.type:
            problems.append('%s: TYPE %s, parsed as %s' %
                            (declared, types.get(declared), f.type))
        for s in f.samples:
            if s.timestamp is not None:
                problems.append('%s: has a timestamp' % s.name)
            if f.type == 'counter' and not s.name.endswith('_total'):
                problems.append('%s: a counter not named _total' % s.name)
        if f.type == 'histogram':
            series = {}
            for s in f.samples:
                key = tuple(sorted((k, v) for k, v in s.labels.items()
                                   if k != 'le'))
                series.setdefault(key, []).append(s)
            for key, ss in series.items():
                buckets = [s for s in ss if s.name.endswith('_bucket')]
                count = [s.value for s in ss if s.name.endswith('_count')]
                les = [float(s.labels['le']) for s in buckets]
                vals = [s.value for s in buckets]
                if les != sorted(les) or les[-1] != float('inf'):
                    problems.append('%s%s: buckets out of order' % (f.name, key))
                if vals != sorted(vals):
                    problems.append('%s%s: buckets not cumulative' % (f.name, key))
                if count != [vals[-1]]:
                    problems.append('%s%s: +Inf %s, _count %s' %
                                    (f.name, key, vals[-1], count))
    for p in problems:
        print('metrics-check: %s: %s' % (path, p))
    return 1 if problems else 0


def get(path, name, want):
    hits = [s for f in families(open(path).read()) for s in f.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in want.items())]
    if len(hits) != 1:
        print('metrics-check: %s: %d samples %s %s' % (path, len(hits), name, want))
        return 1
    print(fmt(hits[0].value))
    return 0


def stats(path, tool, line, pairs):
    samples = {}
    for f in families(open(path).read()):
        for s in f.samples:
            if s.labels.get('tool') == tool and len(s.labels) == 2:
                samples[s.name] = s.value
    mapping = dict(p.split('=', 1) for p in pairs)
    problems = []
    counts = [w.split('=', 1) for w in line.split() if '=' in w]
    if not counts:
        problems.append('no counts in %r' % line)
    for name, value in counts:
        sample = mapping.get(name)
        if sample is None:
            problems.append('--stats %s: mapped to no sample' % name)
        elif sample not in samples:
            problems.append('--stats %s: no sample %s' % (name, sample))
        elif fmt(samples[sample]) != value:
            problems.append('--stats %s=%s, %s %s' %
                            (name, value, sample, fmt(samples[sample])))
    for p in problems:
        print('metrics-check: %s: %s' % (path, p))
    return 1 if problems else 0


def poll(path, stopfile):
    reads, seen = 0, set()
    while not os.path.exists(stopfile):
        try:
            text = open(path).read()
        except FileNotFoundError:
            print('metrics-check: %s: missing while the tool ran' % path)
            return 1
        try:
            if not families(text):
                raise ValueError('empty')
        except Exception as e:  # the parser's own complaint, whatever it is
            print('metrics-check: %s: read %d does not parse: %s' %
                  (path, reads + 1, e))
            return 1
        reads += 1
        seen.add(text)
        if reads == 1:
            open(stopfile + '.ready', 'w').close()
    print(reads, len(seen))
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == 'valid':
        return valid(argv[2])
    if len(argv) >= 4 and argv[1] == 'get':
        return get(argv[2], argv[3], dict(a.split('=', 1) for a in argv[4:]))
    if len(argv) >= 5 and argv[1] == 'stats':
        return stats(argv[2], argv[3], argv[4], argv[5:])
    if len(argv) == 4 and argv[1] == 'poll':
        return poll(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
