import pytest
from prometheus_client import CollectorRegistry

from shared.kafka import bootstrap_list, create_broker


def test_a_comma_separated_bootstrap_list_names_each_broker() -> None:
    assert bootstrap_list("127.0.0.1:9092") == ["127.0.0.1:9092"]
    assert bootstrap_list(" k1:9092,k2:9092 , k3:9092,") == ["k1:9092", "k2:9092", "k3:9092"]
    with pytest.raises(ValueError, match="no broker"):
        bootstrap_list(" , ")


def test_the_broker_bootstraps_from_every_listed_server_and_produces_durably() -> None:
    # FastStream would take the whole string as one host:port (it wraps a string in a list).
    broker = create_broker("k1:9092,k2:9092,k3:9092", service_name="demo", registry=CollectorRegistry())
    assert broker.specification.url == ["k1:9092", "k2:9092", "k3:9092"]
    # What the producer is built with (FastStream keeps no public view of it): every write waits
    # for all in-sync replicas, and a retried send is written once.
    connection = broker._connection_kwargs
    assert connection["bootstrap_servers"] == ["k1:9092", "k2:9092", "k3:9092"]
    assert (connection["acks"], connection["enable_idempotence"]) == ("all", True)
