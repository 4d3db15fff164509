"""Screening: match records and queries against watchlists of people, phones, vehicles and indicators."""
