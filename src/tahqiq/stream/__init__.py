"""Real-time detection over event streams: events, declarative rules compiled to indexes, windowed
correlations in event time, a bus (in-process or NATS JetStream) and the worker that turns matches
into detections and hands them to the alert sink it was given (`tahqiq.alerts.write_alerts`). Users
read and act on alerts only through `tahqiq.alerts.AlertDesk`.

    from tahqiq.stream.rulefile import load_rules
    from tahqiq.stream.engine import RuleEngine
    from tahqiq.stream.windows import Detector
    detector = Detector(RuleEngine(load_rules(), lookup=watchlist_index))
    detections = detector.process(event_from_record(record))

Kept free of heavy imports: the composition root's table registry imports `tahqiq.stream.tables`.
"""
