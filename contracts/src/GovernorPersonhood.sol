// SPDX-License-Identifier: MIT
pragma solidity ^0.8.23;

import {IGovernor, Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ISemaphore} from "@semaphore-protocol/contracts/interfaces/ISemaphore.sol";
import {ISemaphoreGroups} from "@semaphore-protocol/contracts/interfaces/ISemaphoreGroups.sol";
import {ISemaphoreVerifier} from "@semaphore-protocol/contracts/interfaces/ISemaphoreVerifier.sol";
import {PinnedGroupProof} from "./PinnedGroupProof.sol";

/// @title GovernorPersonhood
/// @notice An OpenZeppelin Governor where each vote is a Semaphore proof of membership in one group:
/// one person, one vote, weight 1, and the voter stays anonymous (a relayer submits the proof).
/// @dev At `propose` the group's root and size are pinned, and the quorum is fixed as
/// `ceil(size * quorumNumerator / quorumDenominator)` of that size; only members at that moment can vote.
/// Quorum counts For and Abstain; a proposal succeeds with more For than Against.
///
/// Encodings (TypeScript: sdk/voting/scope.ts and sdk/voting/message.ts):
/// - scope: `uint256(keccak256(abi.encode(chainId, address(this), proposalId))) >> 8`
/// - message: `support` (0 Against, 1 For, 2 Abstain), so a relayer cannot change the vote.
///
/// The standard `VoteCast` event names the voter `address(uint160(nullifier))`: indexers (Tally) see one
/// distinct voter per person and proposal, and nothing links it to an account or to other proposals.
/// That same address keys the spent set, i.e. nullifiers are compared on their low 160 bits; two
/// members colliding there is as unlikely as two accounts sharing an address.
///
/// There are no tokens: `castVote*` paths that would count token weight revert, and the proposal
/// threshold must stay 0 (no account has votes to meet a higher one), so anyone may propose.
contract GovernorPersonhood is GovernorSettings, GovernorTimelockControl {
    /// @notice Everything the constructor needs, as one value.
    struct Configuration {
        string name;
        ISemaphoreGroups semaphore;
        ISemaphoreVerifier verifier;
        uint256 groupId;
        uint48 votingDelay;
        uint32 votingPeriod;
        uint128 quorumNumerator;
        uint128 quorumDenominator;
        TimelockController timelock;
    }

    /// @notice What a proposal pinned at creation, and its tally (packed: one write per vote).
    struct ProposalGroup {
        uint256 merkleTreeRoot;
        uint48 groupSize;
        uint48 quorumVotes;
        uint48 againstVotes;
        uint48 forVotes;
        uint48 abstainVotes;
    }

    /// @notice The quorum fraction for proposals made from now on was changed.
    event QuorumFractionUpdated(uint256 oldNumerator, uint256 oldDenominator, uint256 newNumerator, uint256 newDenominator);

    /// @notice Votes are Semaphore proofs: use {castVoteWithProof}.
    error VoteRequiresProof();
    /// @notice The proof was made against another root than the one pinned by the proposal.
    error WrongRoot(uint256 expected, uint256 actual);
    /// @notice The proof was made for another proposal, governor or chain.
    error WrongScope(uint256 expected, uint256 actual);
    /// @notice The proof's message is not the given `support`.
    error WrongMessage(uint256 expected, uint256 actual);
    /// @notice This person has already voted on this proposal.
    error NullifierAlreadyUsed(uint256 nullifier);
    /// @notice The verifier has no key for this tree depth (Semaphore supports 1 to 32).
    error MerkleTreeDepthNotSupported(uint256 depth);
    /// @notice The zero-knowledge proof does not verify.
    error InvalidProof();
    /// @notice The denominator must be positive and the numerator at most the denominator.
    error InvalidQuorumFraction(uint256 numerator, uint256 denominator);
    /// @notice An empty group cannot vote; its root is zero.
    error GroupHasNoMembers(uint256 groupId);

    /// @notice The Semaphore contract holding the voters' group.
    ISemaphoreGroups public immutable semaphore;
    /// @notice The Groth16 verifier of Semaphore v4 proofs.
    ISemaphoreVerifier public immutable verifier;
    /// @notice The Semaphore group whose members vote.
    uint256 public immutable groupId;

    uint128 private _quorumNumerator;
    uint128 private _quorumDenominator;
    mapping(uint256 proposalId => ProposalGroup) private _proposalGroups;
    mapping(uint256 proposalId => mapping(address voter => bool)) private _voted;
    /// Quorum pinned by the proposals whose snapshot is this timepoint, for {quorum}.
    mapping(uint256 timepoint => uint256) private _snapshotQuorums;

    /// @param configuration Name, Semaphore contracts and group, settings, quorum fraction and timelock.
    constructor(
        Configuration memory configuration
    )
        Governor(configuration.name)
        GovernorSettings(configuration.votingDelay, configuration.votingPeriod, 0)
        GovernorTimelockControl(configuration.timelock)
    {
        semaphore = configuration.semaphore;
        verifier = configuration.verifier;
        groupId = configuration.groupId;
        _setQuorumFraction(configuration.quorumNumerator, configuration.quorumDenominator);
    }

    /// @notice Casts one person's vote with a Semaphore proof; anyone (a relayer) may submit it.
    /// @param proposalId An Active proposal.
    /// @param support 0 Against, 1 For, 2 Abstain; must equal the proof's message.
    /// @param proof A proof against the root pinned at `propose`, with `scope = proposalScope(proposalId)`.
    /// @return The weight counted: always 1.
    function castVoteWithProof(uint256 proposalId, uint8 support, ISemaphore.SemaphoreProof calldata proof) external returns (uint256) {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        if (support > 2) revert GovernorInvalidVoteType();
        uint256 scope = proposalScope(proposalId);
        if (proof.scope != scope) revert WrongScope(scope, proof.scope);
        if (proof.message != support) revert WrongMessage(support, proof.message);
        uint256 pinnedRoot = _proposalGroups[proposalId].merkleTreeRoot;
        if (proof.merkleTreeRoot != pinnedRoot) revert WrongRoot(pinnedRoot, proof.merkleTreeRoot);
        address voter = address(uint160(proof.nullifier));
        if (_voted[proposalId][voter]) revert NullifierAlreadyUsed(proof.nullifier);
        if (!PinnedGroupProof.isSupportedDepth(proof.merkleTreeDepth)) revert MerkleTreeDepthNotSupported(proof.merkleTreeDepth);
        if (!PinnedGroupProof.verify(verifier, proof)) revert InvalidProof();

        _countVote(proposalId, voter, support, 1, "");
        emit VoteCast(voter, proposalId, support, 1, "");
        _tallyUpdated(proposalId);
        return 1;
    }

    /// @notice Sets the quorum fraction for proposals made from now on (pinned proposals keep theirs).
    /// Only through governance.
    /// @param numerator Quorum numerator.
    /// @param denominator Quorum denominator, positive and at least `numerator`.
    function setQuorumFraction(uint128 numerator, uint128 denominator) external onlyGovernance {
        _setQuorumFraction(numerator, denominator);
    }

    /// @notice The current quorum fraction.
    function quorumFraction() external view returns (uint256 numerator, uint256 denominator) {
        return (_quorumNumerator, _quorumDenominator);
    }

    /// @notice What a proposal pinned at creation (root, group size, quorum) and its tally.
    /// @param proposalId The proposal's id.
    function proposalGroup(uint256 proposalId) external view returns (ProposalGroup memory) {
        return _proposalGroups[proposalId];
    }

    /// @notice Tally of a proposal, in the order GovernorCountingSimple uses.
    /// @param proposalId The proposal's id.
    function proposalVotes(uint256 proposalId) external view returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        ProposalGroup storage pinned = _proposalGroups[proposalId];
        return (pinned.againstVotes, pinned.forVotes, pinned.abstainVotes);
    }

    /// @notice The scope a vote's proof must carry for this proposal.
    /// @param proposalId The proposal's id.
    function proposalScope(uint256 proposalId) public view returns (uint256) {
        return PinnedGroupProof.scope(address(this), proposalId);
    }

    /// @inheritdoc Governor
    /// @dev The quorum pinned by proposals whose snapshot is `timepoint`; otherwise the quorum the
    /// current group size and fraction would give a proposal made now.
    function quorum(uint256 timepoint) public view override returns (uint256) {
        uint256 pinned = _snapshotQuorums[timepoint];
        if (pinned != 0) return pinned;
        return _quorumOf(semaphore.getMerkleTreeSize(groupId));
    }

    /// @inheritdoc IGovernor
    /// @dev `voter` is `address(uint160(nullifier))` of a counted proof.
    function hasVoted(uint256 proposalId, address voter) public view override returns (bool) {
        return _voted[proposalId][voter];
    }

    /// @inheritdoc IGovernor
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure override returns (string memory) {
        return "support=bravo&quorum=for,abstain";
    }

    /// @inheritdoc Governor
    function clock() public view override returns (uint48) {
        return SafeCast.toUint48(block.number);
    }

    /// @inheritdoc Governor
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=blocknumber&from=default";
    }

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc Governor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// Pins the group's root and size and the quorum they give.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        uint256 root = semaphore.getMerkleTreeRoot(groupId);
        if (root == 0) revert GroupHasNoMembers(groupId);
        uint256 size = semaphore.getMerkleTreeSize(groupId);
        uint256 quorumVotes = _quorumOf(size);
        ProposalGroup storage pinned = _proposalGroups[proposalId];
        pinned.merkleTreeRoot = root;
        pinned.groupSize = SafeCast.toUint48(size);
        pinned.quorumVotes = SafeCast.toUint48(quorumVotes);
        _snapshotQuorums[proposalSnapshot(proposalId)] = quorumVotes;
    }

    /// Every plain path (castVote, castVoteWithReason, ...BySig) ends here: without a proof nothing counts.
    function _castVote(uint256, address, uint8, string memory, bytes memory) internal pure override returns (uint256) {
        revert VoteRequiresProof();
    }

    function _countVote(uint256 proposalId, address voter, uint8 support, uint256, bytes memory) internal override returns (uint256) {
        ProposalGroup storage pinned = _proposalGroups[proposalId];
        _voted[proposalId][voter] = true;
        // Bravo order, as GovernorCountingSimple: 0 Against, 1 For, 2 Abstain.
        if (support == 0) ++pinned.againstVotes;
        else if (support == 1) ++pinned.forVotes;
        else if (support == 2) ++pinned.abstainVotes;
        else revert GovernorInvalidVoteType();
        return 1;
    }

    /// There are no tokens; weight comes from proofs.
    function _getVotes(address, uint256, bytes memory) internal pure override returns (uint256) {
        return 0;
    }

    function _quorumReached(uint256 proposalId) internal view override returns (bool) {
        ProposalGroup storage pinned = _proposalGroups[proposalId];
        return uint256(pinned.forVotes) + pinned.abstainVotes >= pinned.quorumVotes;
    }

    function _voteSucceeded(uint256 proposalId) internal view override returns (bool) {
        ProposalGroup storage pinned = _proposalGroups[proposalId];
        return pinned.forVotes > pinned.againstVotes;
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }

    function _setQuorumFraction(uint128 numerator, uint128 denominator) private {
        if (denominator == 0 || numerator > denominator) revert InvalidQuorumFraction(numerator, denominator);
        emit QuorumFractionUpdated(_quorumNumerator, _quorumDenominator, numerator, denominator);
        _quorumNumerator = numerator;
        _quorumDenominator = denominator;
    }

    /// Rounds up, so a small group never gets a zero quorum from a positive fraction.
    function _quorumOf(uint256 size) private view returns (uint256) {
        return Math.mulDiv(size, _quorumNumerator, _quorumDenominator, Math.Rounding.Ceil);
    }
}
